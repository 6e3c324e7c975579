/** The loader stage: decodes a dataset and streams SAMPLE records into Kafka with bounded lag. */
package io.kdstream.loader;
