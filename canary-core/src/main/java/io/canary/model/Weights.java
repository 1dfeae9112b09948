package io.canary.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Version name to traffic share, stored exactly as basis points (0..10000, summing to 10000) so that
 * every node computes identical routing buckets. Immutable; versions are kept sorted by name.
 */
public final class Weights {
    /** Basis points in a whole: a share of 1.0. */
    public static final int TOTAL_BASIS_POINTS = 10_000;
    private static final double SUM_TOLERANCE = 1e-9;

    private final String[] versions;
    private final int[] basisPoints;

    private Weights(String[] versions, int[] basisPoints) {
        this.versions = versions;
        this.basisPoints = basisPoints;
    }

    /**
     * Builds weights from shares in [0,1] that sum to 1 (within 1e-9).
     *
     * @throws IllegalArgumentException naming the problem: empty map, blank version name, NaN,
     *     negative or &gt;1 share, a sum other than 1, or a share finer than one basis point
     */
    public static Weights of(Map<String, Double> shares) {
        Objects.requireNonNull(shares, "shares");
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("weights must name at least one version");
        }
        TreeMap<String, Integer> bp = new TreeMap<>();
        double sum = 0;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            String version = e.getKey();
            checkVersionName(version);
            Double share = e.getValue();
            if (share == null || share.isNaN() || share.isInfinite()) {
                throw new IllegalArgumentException("weight of " + version + " is not a number: " + share);
            }
            if (share < 0 || share > 1) {
                throw new IllegalArgumentException("weight of " + version + " must be in [0,1], got " + share);
            }
            double scaled = share * TOTAL_BASIS_POINTS;
            long rounded = Math.round(scaled);
            if (Math.abs(scaled - rounded) > 1e-6) {
                throw new IllegalArgumentException("weight of " + version + " is finer than one basis point (0.0001): " + share);
            }
            sum += share;
            bp.put(version, (int) rounded);
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("weights must sum to 1, got " + sum + " for " + shares);
        }
        return ofBasisPoints(bp);
    }

    /**
     * Builds weights from basis points (each 0..10000, summing to exactly 10000).
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static Weights ofBasisPoints(Map<String, Integer> basisPoints) {
        Objects.requireNonNull(basisPoints, "basisPoints");
        if (basisPoints.isEmpty()) {
            throw new IllegalArgumentException("weights must name at least one version");
        }
        TreeMap<String, Integer> sorted = new TreeMap<>(basisPoints);
        String[] names = new String[sorted.size()];
        int[] points = new int[sorted.size()];
        int i = 0;
        long sum = 0;
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            checkVersionName(e.getKey());
            Integer p = e.getValue();
            if (p == null || p < 0 || p > TOTAL_BASIS_POINTS) {
                throw new IllegalArgumentException("basis points of " + e.getKey() + " must be in [0,10000], got " + p);
            }
            names[i] = e.getKey();
            points[i] = p;
            sum += p;
            i++;
        }
        if (sum != TOTAL_BASIS_POINTS) {
            throw new IllegalArgumentException("basis points must sum to 10000, got " + sum + " for " + sorted);
        }
        return new Weights(names, points);
    }

    /** All traffic to one version. */
    public static Weights all(String version) {
        return ofBasisPoints(Map.of(version, TOTAL_BASIS_POINTS));
    }

    /** Two versions: {@code canaryPercent} percent to the canary, the rest to the baseline. */
    public static Weights split(String baseline, String canary, double canaryPercent) {
        if (Objects.equals(baseline, canary)) {
            throw new IllegalArgumentException("baseline and canary must differ, both are " + baseline);
        }
        if (!(canaryPercent >= 0 && canaryPercent <= 100)) {
            throw new IllegalArgumentException("canary percent must be in [0,100], got " + canaryPercent);
        }
        int canaryBp = (int) Math.round(canaryPercent * 100);
        Map<String, Integer> bp = new TreeMap<>();
        bp.put(baseline, TOTAL_BASIS_POINTS - canaryBp);
        bp.put(canary, canaryBp);
        return ofBasisPoints(bp);
    }

    private static void checkVersionName(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version name must not be blank");
        }
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("version name may hold letters, digits, '-', '_' and '.', got '" + version + "'");
            }
        }
    }

    /** The versions, sorted by name. */
    public List<String> versions() {
        return List.of(versions);
    }

    /** True if this names the version (even with a zero share). */
    public boolean contains(String version) {
        return Arrays.binarySearch(versions, version) >= 0;
    }

    /** Basis points of a version; 0 for a version not named. */
    public int basisPoints(String version) {
        int i = Arrays.binarySearch(versions, version);
        return i >= 0 ? basisPoints[i] : 0;
    }

    /** Share of a version in [0,1]; 0 for a version not named. */
    public double share(String version) {
        return basisPoints(version) / (double) TOTAL_BASIS_POINTS;
    }

    /** Version to share, sorted by name. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < versions.length; i++) {
            m.put(versions[i], basisPoints[i] / (double) TOTAL_BASIS_POINTS);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Version to basis points, sorted by name. */
    public Map<String, Integer> asBasisPoints() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < versions.length; i++) {
            m.put(versions[i], basisPoints[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * True if moving from {@code previous} to this raises the share of any version other than
     * {@code baseline}: a promotion, which needs a YES from every configured node.
     */
    public boolean raisesShareOverBaseline(Weights previous, String baseline) {
        for (int i = 0; i < versions.length; i++) {
            if (!versions[i].equals(baseline) && basisPoints[i] > previous.basisPoints(versions[i])) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Weights w && Arrays.equals(versions, w.versions) && Arrays.equals(basisPoints, w.basisPoints);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(versions) + Arrays.hashCode(basisPoints);
    }

    /** {@code {v1=0.95, v2=0.05}}. */
    @Override
    public String toString() {
        return asMap().toString();
    }
}
