package io.canary.health;

import io.canary.ClusterHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest health snapshot of every node, as one node has received them, merged into cluster
 * health. Merging adds counts and histograms bucket by bucket: a cluster percentile is the
 * percentile of the merged distribution, never an average of the nodes' percentiles (an average
 * hides one slow node behind fast ones).
 *
 * <p>Freshness is judged by when a snapshot arrived on this node's clock, not by the sender's
 * clock, so clock skew between machines cannot make a stale snapshot look fresh.
 *
 * <p>Threading: safe from any thread; updates come from the protocol thread, reads from anywhere.
 */
public final class ClusterHealthView {
    private final long maxAgeMillis;
    private final Map<String, Received> latest = new ConcurrentHashMap<>();

    private record Received(HealthSnapshot snapshot, long receivedAt) {
    }

    /** @param maxAge snapshots received longer ago than this are left out (the health window) */
    public ClusterHealthView(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        this.maxAgeMillis = maxAge.toMillis();
    }

    /**
     * Keeps {@code snapshot} as its node's latest, unless one taken later (by the sender's clock)
     * is already held: a reordered or duplicated report never replaces a newer one.
     */
    public void update(HealthSnapshot snapshot, long receivedAt) {
        latest.merge(snapshot.nodeId(), new Received(snapshot, receivedAt),
                (old, fresh) -> fresh.snapshot.takenAt() >= old.snapshot.takenAt() ? fresh : old);
    }

    /** Forgets a node's snapshot. */
    public void remove(String nodeId) {
        latest.remove(nodeId);
    }

    /** Every node whose latest snapshot arrived within the window before {@code now}, merged. */
    public ClusterHealth merged(long now) {
        return mergedSince(Long.MIN_VALUE, now);
    }

    /**
     * The step counts of every node whose latest snapshot counts step {@code key}, merged: a rollout
     * step's cumulative evidence. Age does not matter here: what a node counted of this step stays
     * true after it fell silent (it crashed or was cut off), and it was counted once.
     */
    public ClusterHealth mergedStep(String key, long now) {
        List<String> nodes = new ArrayList<>();
        Map<String, VersionHealth> versions = new HashMap<>();
        Map<String, VersionHealth> mirrors = new HashMap<>();
        for (Map.Entry<String, Received> e : new TreeMap<>(latest).entrySet()) {
            StepCounts step = e.getValue().snapshot.step();
            if (!step.key().equals(key)) {
                continue;
            }
            nodes.add(e.getKey());
            for (VersionHealth h : step.versions().values()) {
                versions.merge(h.version(), h, VersionHealth::merge);
            }
            for (VersionHealth h : step.mirrors().values()) {
                mirrors.merge(h.version(), h, VersionHealth::merge);
            }
        }
        return new ClusterHealth(now, nodes, versions, mirrors);
    }

    /**
     * Like {@link #merged(long)}, but only snapshots that also arrived at or after {@code since}:
     * a rollout step judges snapshots that arrived after the step committed.
     */
    public ClusterHealth mergedSince(long since, long now) {
        List<String> nodes = new ArrayList<>();
        Map<String, VersionHealth> versions = new HashMap<>();
        Map<String, VersionHealth> mirrors = new HashMap<>();
        for (Map.Entry<String, Received> e : new TreeMap<>(latest).entrySet()) {
            Received r = e.getValue();
            if (r.receivedAt < since || now - r.receivedAt > maxAgeMillis) {
                continue;
            }
            nodes.add(e.getKey());
            for (VersionHealth h : r.snapshot.versions().values()) {
                versions.merge(h.version(), h, VersionHealth::merge);
            }
            for (VersionHealth h : r.snapshot.mirrors().values()) {
                mirrors.merge(h.version(), h, VersionHealth::merge);
            }
        }
        return new ClusterHealth(now, nodes, versions, mirrors);
    }
}
