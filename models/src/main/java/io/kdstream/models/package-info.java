/**
 * The DJL side shared by teacher and student: model specs and the model zoo, the saved-model format, conversion of
 * wire views to model inputs and inference. Nothing here touches Kafka or reads datasets; how the process shares
 * its cores with PyTorch is in {@code io.kdstream.tuning}.
 */
package io.kdstream.models;
