/** Shared command-line start-up: the service runner, the progress line and the /metrics endpoint. */
package io.kdstream.core.cli;
