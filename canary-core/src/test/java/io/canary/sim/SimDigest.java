package io.canary.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The fingerprint of whole runs: a hash of the full event trace and the outcome of each seed. Used
 * to check that a seed replays identically in another JVM (and so on a developer's machine after
 * CI printed it). {@code java -cp ... io.canary.sim.SimDigest FIRST COUNT [protocol|runtime]}.
 */
public final class SimDigest {
    private SimDigest() {
    }

    /** One hash over the runs of seeds {@code first .. first + count - 1}. */
    static String of(long first, long count, SimParams.Mode mode) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (long seed = first; seed < first + count; seed++) {
                Simulation sim = new Simulation(SimParams.of(seed).withMode(mode).withFullTrace(true));
                SimResult result = sim.run();
                sha.update((seed + " " + result.violated() + " " + result.stats() + "\n").getBytes(StandardCharsets.UTF_8));
                sha.update(sim.trace().render().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        SimParams.Mode mode = args.length > 2 && args[2].equals("runtime") ? SimParams.Mode.RUNTIME : SimParams.Mode.PROTOCOL;
        System.out.println(of(Long.parseLong(args[0]), Long.parseLong(args[1]), mode));
    }
}
