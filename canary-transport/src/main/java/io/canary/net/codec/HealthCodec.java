package io.canary.net.codec;

import io.canary.health.HealthSnapshot;
import io.canary.health.HistogramSnapshot;
import io.canary.health.StepCounts;
import io.canary.health.VersionHealth;
import io.canary.health.VersionStats;
import java.util.HashMap;
import java.util.Map;

/** Wire form of health: histograms (sparse), per-version health, snapshots and stats. */
final class HealthCodec {
    /** A histogram bucket on the wire: index (4 bytes) and count (8 bytes). */
    private static final int BUCKET_BYTES = 12;
    /** A snapshot entry on the wire at least: key, version name, requests, errors, bucket count. */
    private static final int MIN_VERSION_HEALTH_BYTES = 4 + 4 + 8 + 8 + 4;

    private HealthCodec() {
    }

    /**
     * Only non-empty buckets travel, as (index, count) pairs in increasing index order: latency
     * histograms are mostly empty, so this is far smaller than the dense array.
     */
    static void writeHistogram(WireWriter w, HistogramSnapshot h) {
        int nonEmpty = 0;
        for (int i = 0; i < h.length(); i++) {
            if (h.count(i) != 0) {
                nonEmpty++;
            }
        }
        w.writeInt(nonEmpty);
        for (int i = 0; i < h.length(); i++) {
            long c = h.count(i);
            if (c != 0) {
                w.writeInt(i);
                w.writeLong(c);
            }
        }
    }

    static HistogramSnapshot readHistogram(WireReader r) {
        int n = r.readCount("histogram buckets", BUCKET_BYTES);
        if (n == 0) {
            return HistogramSnapshot.EMPTY;
        }
        int[] indexes = new int[n];
        long[] counts = new long[n];
        int previous = -1;
        for (int i = 0; i < n; i++) {
            int index = r.readInt("histogram bucket index");
            long count = r.readLong("histogram bucket count");
            if (index <= previous) {
                throw new CodecException("histogram bucket index " + index + " is not above the previous " + previous);
            }
            if (count <= 0) {
                throw new CodecException("histogram bucket " + index + " has a count of " + count + " (must be > 0)");
            }
            indexes[i] = index;
            counts[i] = count;
            previous = index;
        }
        // The dense array is as long as the highest index: charge it before allocating, so one
        // small pair with index 2^31-1 cannot make us allocate 16 GiB.
        long dense = (long) previous + 1;
        r.charge(dense * Long.BYTES, "histogram of " + dense + " buckets");
        long[] all = new long[(int) dense];
        for (int i = 0; i < n; i++) {
            all[indexes[i]] = counts[i];
        }
        return Decoding.build("histogram", () -> HistogramSnapshot.ofCounts(all));
    }

    static void writeVersionHealth(WireWriter w, VersionHealth h) {
        w.writeString(h.version());
        w.writeLong(h.requests());
        w.writeLong(h.errors());
        writeHistogram(w, h.latency());
    }

    static VersionHealth readVersionHealth(WireReader r) {
        String version = r.readString("health version name");
        long requests = r.readLong("health requests");
        long errors = r.readLong("health errors");
        HistogramSnapshot latency = readHistogram(r);
        return Decoding.build("version health", () -> new VersionHealth(version, requests, errors, latency));
    }

    static void writeSnapshot(WireWriter w, HealthSnapshot s) {
        w.writeString(s.nodeId());
        w.writeLong(s.takenAt());
        w.writeLong(s.windowMillis());
        writeHealthMap(w, s.versions());
        // Mirrored traffic follows as a map of its own, never under a reserved version name.
        writeHealthMap(w, s.mirrors());
        // Then the node's cumulative counts of the current rollout step (the sequential judge's evidence).
        writeStep(w, s.step());
    }

    private static void writeHealthMap(WireWriter w, Map<String, VersionHealth> healths) {
        w.writeInt(healths.size());
        // Sorted so that equal snapshots encode to equal bytes.
        for (Map.Entry<String, VersionHealth> e : new java.util.TreeMap<>(healths).entrySet()) {
            w.writeString(e.getKey());
            writeVersionHealth(w, e.getValue());
        }
    }

    /** The node's cumulative counts of the current rollout step: key, since, then the versions sorted. */
    static void writeStep(WireWriter w, StepCounts step) {
        w.writeString(step.key());
        w.writeLong(step.since());
        w.writeInt(step.versions().size());
        // Sorted so that equal snapshots encode to equal bytes.
        for (VersionHealth h : new java.util.TreeMap<>(step.versions()).values()) {
            writeVersionHealth(w, h);
        }
        w.writeInt(step.mirrors().size());
        for (VersionHealth h : new java.util.TreeMap<>(step.mirrors()).values()) {
            writeVersionHealth(w, h);
        }
    }

    static StepCounts readStep(WireReader r) {
        String key = r.readString("step key");
        long since = r.readLong("step since");
        int n = r.readCount("step versions", MIN_VERSION_HEALTH_BYTES - 4);
        Map<String, VersionHealth> versions = new HashMap<>();
        for (int i = 0; i < n; i++) {
            VersionHealth h = readVersionHealth(r);
            if (versions.put(h.version(), h) != null) {
                throw new CodecException("step counts name version '" + h.version() + "' twice");
            }
        }
        int m = r.readCount("step mirrors", MIN_VERSION_HEALTH_BYTES - 4);
        Map<String, VersionHealth> mirrors = new HashMap<>();
        for (int i = 0; i < m; i++) {
            VersionHealth h = readVersionHealth(r);
            if (mirrors.put(h.version(), h) != null) {
                throw new CodecException("step mirror counts name version '" + h.version() + "' twice");
            }
        }
        return Decoding.build("step counts", () -> new StepCounts(key, since, versions, mirrors));
    }

    private static Map<String, VersionHealth> readHealthMap(WireReader r, String what) {
        int n = r.readCount("health " + what, MIN_VERSION_HEALTH_BYTES);
        Map<String, VersionHealth> healths = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = r.readString("health " + what + " key");
            VersionHealth h = readVersionHealth(r);
            if (healths.put(key, h) != null) {
                throw new CodecException("health " + what + " name version '" + key + "' twice");
            }
        }
        return healths;
    }

    static HealthSnapshot readSnapshot(WireReader r) {
        String nodeId = r.readString("health node id");
        long takenAt = r.readLong("health takenAt");
        long windowMillis = r.readLong("health windowMillis");
        Map<String, VersionHealth> versions = readHealthMap(r, "versions");
        Map<String, VersionHealth> mirrors = readHealthMap(r, "mirrors");
        StepCounts step = readStep(r);
        return Decoding.build("health snapshot",
                () -> new HealthSnapshot(nodeId, takenAt, windowMillis, versions, mirrors, step));
    }

    static void writeStats(WireWriter w, VersionStats s) {
        w.writeString(s.version());
        w.writeLong(s.requests());
        w.writeLong(s.errors());
        w.writeDouble(s.errorRate());
        w.writeDouble(s.p50Ms());
        w.writeDouble(s.p95Ms());
        w.writeDouble(s.p99Ms());
    }

    static VersionStats readStats(WireReader r) {
        String version = r.readString("stats version name");
        long requests = r.readLong("stats requests");
        long errors = r.readLong("stats errors");
        double errorRate = r.readDouble("stats error rate");
        double p50 = r.readDouble("stats p50");
        double p95 = r.readDouble("stats p95");
        double p99 = r.readDouble("stats p99");
        return Decoding.build("version stats", () -> new VersionStats(version, requests, errors, errorRate, p50, p95, p99));
    }
}
