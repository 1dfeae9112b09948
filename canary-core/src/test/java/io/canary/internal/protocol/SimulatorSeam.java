package io.canary.internal.protocol;

import java.util.EnumSet;
import java.util.Set;

/**
 * The deterministic simulator's way into the protocol's test-only seam: it plants deliberate bugs
 * ({@link PlantedBug}) in a {@link ProtocolNode} before it starts. This class lives in the TEST
 * sources, so production code cannot call it, and {@code ProtocolNode#plant} is package-private.
 */
public final class SimulatorSeam {
    private SimulatorSeam() {
    }

    /** Names of the protocol-level bugs that can be planted. */
    public static Set<String> bugNames() {
        Set<String> names = new java.util.TreeSet<>();
        for (PlantedBug b : PlantedBug.values()) {
            names.add(b.name());
        }
        return names;
    }

    /** Plants the named bugs (names of {@link PlantedBug}; others are ignored) in {@code node}, before its start. */
    public static void plant(ProtocolNode node, Set<String> names) {
        Set<PlantedBug> bugs = EnumSet.noneOf(PlantedBug.class);
        for (PlantedBug b : PlantedBug.values()) {
            if (names.contains(b.name())) {
                bugs.add(b);
            }
        }
        if (!bugs.isEmpty()) {
            node.plant(bugs);
        }
    }
}
