package io.canary.net.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets one log line per key through per interval, so a flood (a fuzzer, a misconfigured node
 * reconnecting every second, a full queue) costs a few lines, not millions. Thread-safe.
 */
final class LogLimiter {
    private static final int MAX_KEYS = 1024;

    private final long intervalNanos;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    LogLimiter(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /**
     * @return -1 if the line for {@code key} must be suppressed; otherwise how many lines for it
     *     were suppressed since the last one let through (0 for the first)
     */
    long permit(String key) {
        return permit(key, 1);
    }

    /** Like {@link #permit(String)}, letting up to {@code burst} lines per interval through. */
    long permit(String key, int burst) {
        if (windows.size() > MAX_KEYS) {
            windows.clear();
        }
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long now = System.nanoTime();
        synchronized (w) {
            if (w.count == 0 || now - w.start >= intervalNanos) {
                long suppressed = w.suppressed;
                w.start = now;
                w.count = 1;
                w.suppressed = 0;
                return suppressed;
            }
            if (w.count < burst) {
                w.count++;
                return 0;
            }
            w.suppressed++;
            return -1;
        }
    }

    /** " (N similar lines suppressed)" or "". */
    static String suppressedSuffix(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar suppressed)" : "";
    }

    private static final class Window {
        long start;
        int count;
        long suppressed;
    }
}
