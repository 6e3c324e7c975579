/**
 * The kdstream wire format, version 1 (docs/WIRE.md): a generic {@link io.kdstream.core.wire.Frame} of fixed
 * header, scalar properties and little-endian tensors, and the typed records that every stage reads and writes.
 * No Java serialization and no DJL type ever goes on the wire.
 */
package io.kdstream.core.wire;
