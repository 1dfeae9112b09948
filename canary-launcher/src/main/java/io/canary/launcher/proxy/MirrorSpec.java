package io.canary.launcher.proxy;

import io.canary.launcher.KeyValues;
import io.canary.model.Weights;
import java.util.Objects;
import java.util.Optional;

/**
 * Traffic mirroring: a share of the requests routed to the baseline is copied to another version,
 * fire-and-forget; the copy's answer is discarded and its health recorded apart
 * ({@code CanaryNode.recordMirror}). Immutable.
 *
 * @param target the version copies go to; empty: the canary of the active rollout (no rollout, no copies)
 * @param basisPoints share of baseline requests copied, 1..10000
 * @param maxInFlight copies outstanding at once; a copy due beyond it is dropped (counted), never queued
 * @param maxBodyBytes a request with a larger body is not copied (the copy is buffered, the real request streams)
 */
public record MirrorSpec(Optional<String> target, int basisPoints, int maxInFlight, int maxBodyBytes) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public MirrorSpec {
        Objects.requireNonNull(target, "target");
        if (basisPoints < 1 || basisPoints > Weights.TOTAL_BASIS_POINTS) {
            throw new IllegalArgumentException("mirror share must be in (0%, 100%], got " + basisPoints / 100.0 + "%");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("mirror max in flight must be positive, got " + maxInFlight);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("mirror max body must be >= 0, got " + maxBodyBytes);
        }
    }

    /**
     * Parses {@code 10%} (copies to the rollout's canary) or {@code v2=10%} (copies to v2); shares as
     * {@code 0.1} work too.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static MirrorSpec parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        int eq = t.indexOf('=');
        String version = eq < 0 ? null : t.substring(0, eq).trim();
        String share = eq < 0 ? t : t.substring(eq + 1).trim();
        if (version != null && version.isEmpty()) {
            throw new IllegalArgumentException("bad mirror '" + text + "': expected SHARE or VERSION=SHARE, e.g. v2=10%");
        }
        double s;
        try {
            s = KeyValues.parseShare(share);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad mirror '" + text + "': '" + share + "' is not a share like 10% or 0.1");
        }
        if (!(s > 0 && s <= 1)) {
            throw new IllegalArgumentException("bad mirror '" + text + "': the share must be in (0%, 100%]");
        }
        int bp = (int) Math.max(1, Math.round(s * Weights.TOTAL_BASIS_POINTS));
        return new MirrorSpec(Optional.ofNullable(version), bp, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_BODY_BYTES);
    }

    @Override
    public String toString() {
        return target.map(v -> v + "=").orElse("") + basisPoints / 100.0 + "%";
    }
}
