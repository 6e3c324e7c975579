/**
 * A small reactive adapter over plain kafka-clients (receive with acknowledge-then-commit, send that completes on
 * broker acknowledgement), topic declarations, dead letters and lag-based backpressure.
 */
package io.kdstream.core.kafka;
