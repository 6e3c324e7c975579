/** A real single-node KRaft Kafka broker embedded in the JVM, for the one-machine run and the tests. */
package io.kdstream.broker;
