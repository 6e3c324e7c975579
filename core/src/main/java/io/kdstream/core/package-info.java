/**
 * kdstream's shared core: the {@link io.kdstream.core.Service} contract every stage implements, progress
 * reporting and the metric names. Wire formats live in {@code wire}, Kafka plumbing in {@code kafka}, typed settings
 * in {@code config}, shared command-line start-up in {@code cli}.
 */
package io.kdstream.core;
