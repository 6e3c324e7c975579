/** The DJL side of training: KD loss, AdamW with checkpointable state, schedules and the training step. */
package io.kdstream.student.train;
