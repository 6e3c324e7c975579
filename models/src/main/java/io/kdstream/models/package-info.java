/**
 * The DJL side shared by teacher and student: model specs and the model zoo, the saved-model format, conversion of
 * wire views to model inputs, inference and evaluation metrics. Nothing here touches Kafka.
 */
package io.kdstream.models;
