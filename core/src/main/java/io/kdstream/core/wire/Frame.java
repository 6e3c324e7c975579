package io.kdstream.core.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The generic, self-describing layout every kdstream record value follows (docs/WIRE.md): a fixed header, typed
 * scalar properties and a table of tensors. The typed records ({@link Sample}, {@link EpochEnd},
 * {@link AugmentedBatch}, {@link AnnotatedBatch}) convert to and from frames.
 *
 * @param kind       the record kind (byte 6)
 * @param epoch      epoch number, 0-based
 * @param partition  the source partition of the samples this record derives from, or -1
 * @param id         sample id (SAMPLE) or batch sequence number within (epoch, partition)
 * @param createdAtMs wall-clock milliseconds when the first sample of this record was loaded
 * @param properties scalar properties: values are {@link Long}, {@link Double} or {@link String}
 * @param tensors    tensors by name, in wire order
 */
public record Frame(RecordKind kind, int epoch, int partition, long id, long createdAtMs,
                    Map<String, Object> properties, Map<String, Tensor> tensors) {

    public Frame {
        Objects.requireNonNull(kind, "kind");
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Long || v instanceof Double || v instanceof String)) {
                throw new IllegalArgumentException("property '" + e.getKey() + "' must be Long, Double or String, got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
        }
    }

    /** A tensor that must be present. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new WireFormatException(kind + " record e" + epoch + "/p" + partition + "/" + id
                    + " lacks required tensor '" + name + "' (has " + tensors.keySet() + ")");
        }
        return t;
    }

    /** An optional tensor, or null. */
    public Tensor optionalTensor(String name) {
        return tensors.get(name);
    }

    /** A long property that must be present. */
    public long longProperty(String key) {
        return (Long) property(key, Long.class);
    }

    /** A double property that must be present. */
    public double doubleProperty(String key) {
        return (Double) property(key, Double.class);
    }

    /** A string property that must be present. */
    public String stringProperty(String key) {
        return (String) property(key, String.class);
    }

    /** A string property, or the fallback when absent. */
    public String stringProperty(String key, String fallback) {
        return properties.containsKey(key) ? stringProperty(key) : fallback;
    }

    /** A long property, or the fallback when absent. */
    public long longProperty(String key, long fallback) {
        return properties.containsKey(key) ? longProperty(key) : fallback;
    }

    private Object property(String key, Class<?> type) {
        Object v = properties.get(key);
        if (v == null) {
            throw new WireFormatException(kind + " record e" + epoch + "/p" + partition + "/" + id
                    + " lacks required property '" + key + "' (has " + properties.keySet() + ")");
        }
        if (!type.isInstance(v)) {
            throw new WireFormatException("property '" + key + "' is " + v.getClass().getSimpleName() + ", expected "
                    + type.getSimpleName());
        }
        return v;
    }

    /** Checks the kind, naming both in the error. */
    public Frame requireKind(RecordKind expected) {
        if (kind != expected) {
            throw new WireFormatException("expected a " + expected + " record but got " + kind
                    + "; is the consumer reading the right topic?");
        }
        return this;
    }

    /** A small builder so typed records can assemble frames readably. */
    public static Builder builder(RecordKind kind) {
        return new Builder(kind);
    }

    /** Mutable builder for {@link Frame}. */
    public static final class Builder {
        private final RecordKind kind;
        private int epoch;
        private int partition = -1;
        private long id;
        private long createdAtMs;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final Map<String, Tensor> tensors = new LinkedHashMap<>();

        private Builder(RecordKind kind) {
            this.kind = kind;
        }

        public Builder epoch(int epoch) {
            this.epoch = epoch;
            return this;
        }

        public Builder partition(int partition) {
            this.partition = partition;
            return this;
        }

        public Builder id(long id) {
            this.id = id;
            return this;
        }

        public Builder createdAtMs(long createdAtMs) {
            this.createdAtMs = createdAtMs;
            return this;
        }

        public Builder property(String key, long value) {
            properties.put(key, value);
            return this;
        }

        public Builder property(String key, double value) {
            properties.put(key, value);
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder tensor(Tensor t) {
            if (tensors.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor '" + t.name() + "'");
            }
            return this;
        }

        public Frame build() {
            return new Frame(kind, epoch, partition, id, createdAtMs, properties, tensors);
        }
    }
}
