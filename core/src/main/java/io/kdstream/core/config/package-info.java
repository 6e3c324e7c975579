/** Typed, validated settings from flags and {@code KDS_*} environment variables. */
package io.kdstream.core.config;
