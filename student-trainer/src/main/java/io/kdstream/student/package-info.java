/** The student stage: Kafka consumption, de-duplication, epochs, evaluation and checkpoints around a DJL loop. */
package io.kdstream.student;
