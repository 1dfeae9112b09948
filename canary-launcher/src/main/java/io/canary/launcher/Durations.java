package io.canary.launcher;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads and writes the durations people type: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h},
 * {@code 1.5s}. The one parser of every duration the launcher reads: command options (through
 * {@link DurationConverter}), the data plane's {@code interval} field and {@code --model} specs.
 * A bare number is refused: {@code 30} could mean seconds or milliseconds.
 */
public final class Durations {

    private Durations() {
    }

    /**
     * Parses a number followed by a unit ({@code ms}, {@code s}, {@code m}, {@code h}); an ISO-8601
     * duration ({@code PT30S}) is accepted too.
     *
     * @throws IllegalArgumentException naming the bad text
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required, e.g. 500ms, 30s or 2m");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw invalid(text);
            }
        }
        int unitStart = 0;
        while (unitStart < s.length() && (Character.isDigit(s.charAt(unitStart)) || s.charAt(unitStart) == '.')) {
            unitStart++;
        }
        if (unitStart == 0) {
            throw invalid(text);
        }
        double amount;
        try {
            amount = Double.parseDouble(s.substring(0, unitStart));
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
        long nanosPerUnit = switch (s.substring(unitStart).trim()) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw invalid(text);
        };
        double nanos = amount * nanosPerUnit;
        if (nanos > Long.MAX_VALUE / 2.0) {
            throw new IllegalArgumentException("duration '" + text + "' is too long");
        }
        return Duration.ofNanos(Math.round(nanos));
    }


    /** Milliseconds from {@code 200ms}, {@code 0.2s} or a plain number of milliseconds. */
    public static double parseMillis(String text) {
        if (text != null && !text.isBlank() && text.trim().chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        return parse(text).toNanos() / 1_000_000.0;
    }

    /** The shortest of {@code 1500ms}, {@code 30s}, {@code 2m}, {@code 1h} that is exact. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration '" + text + "': use e.g. 500ms, 30s, 2m or 1h");
    }
}
