package io.kdstream.core.kafka;

import io.kdstream.core.wire.EpochEnd;
import java.util.HashSet;
import java.util.Set;

/**
 * Tells when a bounded run is over for a stage: once the EPOCH_END of the last epoch has arrived from every source
 * partition. Not thread-safe; feed it from the stage's ordered pipeline.
 */
public final class RunEnd {
    private final Set<Integer> lastSeen = new HashSet<>();

    /** Records a marker; true when it completes the run. */
    public boolean completes(EpochEnd marker) {
        if (!marker.last()) {
            return false;
        }
        lastSeen.add(marker.partition());
        return lastSeen.size() >= marker.partitions();
    }
}
