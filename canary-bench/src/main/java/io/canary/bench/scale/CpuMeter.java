package io.canary.bench.scale;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU used by a cluster's JVMs between two readings: user and kernel time of this process and of the
 * helper JVMs ({@code /proc/<pid>/stat}, clock ticks), and, inside this JVM, the nodes' protocol threads
 * ({@code canary-<id>}) and selector threads ({@code canary-nio-<id>}) apart ({@link ThreadMXBean}), and the
 * coordinator's two threads on their own: the one part of a commit that does not spread over the members, so the
 * part that bounds a commit once every node has a core of its own.
 * Linux only; elsewhere the process figures read 0. What it answers: how much CPU one commit costs the
 * whole cluster, and so each node, which on a machine with fewer cores than nodes bounds the commit rate.
 */
final class CpuMeter {
    /** Linux's USER_HZ: /proc reports times in hundredths of a second. */
    private static final double TICK_MS = 10.0;
    private final List<Long> pids;
    private final String coordinatorThread;
    private final String coordinatorSelector;

    CpuMeter(List<Long> helperPids, String coordinatorId) {
        this.coordinatorThread = "canary-" + coordinatorId;
        this.coordinatorSelector = "canary-nio-" + coordinatorId;
        List<Long> all = new ArrayList<>();
        all.add(ProcessHandle.current().pid());
        all.addAll(helperPids);
        this.pids = List.copyOf(all);
    }

    /** One reading: milliseconds of CPU so far. */
    record Reading(double userMs, double kernelMs, double protocolMs, double selectorMs, double jitMs,
                   double coordinatorMs, long atNanos) {
        Reading minus(Reading before) {
            return new Reading(userMs - before.userMs, kernelMs - before.kernelMs, protocolMs - before.protocolMs,
                    selectorMs - before.selectorMs, jitMs - before.jitMs, coordinatorMs - before.coordinatorMs,
                    atNanos - before.atNanos);
        }

        /** The figures per unit (per commit, per node...). */
        String describe(double per, String unit) {
            return String.format(Locale.ROOT, "cpu_ms_per_%s=%.3f user_ms=%.3f kernel_ms=%.3f jit_compiler_threads_ms=%.3f"
                            + " local_protocol_threads_ms=%.3f local_selector_threads_ms=%.3f coordinator_threads_ms=%.3f", unit,
                    (userMs + kernelMs) / per, userMs / per, kernelMs / per, jitMs / per, protocolMs / per, selectorMs / per,
                    coordinatorMs / per);
        }
    }

    Reading read() {
        double user = 0;
        double kernel = 0;
        double jit = 0;
        for (long pid : pids) {
            long[] t = ticks(Path.of("/proc", Long.toString(pid), "stat"));
            user += t[0] * TICK_MS;
            kernel += t[1] * TICK_MS;
            jit += compilerTicks(pid) * TICK_MS;
        }
        double protocol = 0;
        double selector = 0;
        double coordinator = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            String name = info.getThreadName();
            if (name.equals(coordinatorThread) || name.equals(coordinatorSelector)) {
                coordinator += cpu / 1e6;
            }
            if (name.startsWith("canary-nio-")) {
                selector += cpu / 1e6;
            } else if (name.startsWith("canary-")) {
                protocol += cpu / 1e6;
            }
        }
        return new Reading(user, kernel, protocol, selector, jit, coordinator, System.nanoTime());
    }

    /** CPU ticks of a JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"), 0 if unreadable. */
    private static long compilerTicks(long pid) {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        long[] t = ticks(task.resolve("stat"));
                        total += t[0] + t[1];
                    }
                } catch (IOException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }

    /** utime and stime of a process or thread ({@code /proc/.../stat}), in ticks (0, 0 if unreadable). */
    private static long[] ticks(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
