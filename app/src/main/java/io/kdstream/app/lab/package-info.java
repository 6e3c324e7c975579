/**
 * The lab: runs that compare or stress the whole pipeline rather than use it. {@code kdstream experiment} (arms of
 * demo runs for docs/RESULTS.md) and {@code kdstream faults} (each service in its own JVM, faults injected, audited
 * by batch id for docs/RELIABILITY.md).
 */
package io.kdstream.app.lab;
