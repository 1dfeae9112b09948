package io.canary.launcher;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses human durations: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h}; a bare
 * number is milliseconds. Also accepts ISO-8601 ({@code PT2S}). Registered for every command.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern HUMAN = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code value}.
     *
     * @throws IllegalArgumentException naming the bad value and the accepted forms
     */
    public static Duration parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("duration is missing");
        }
        String v = value.trim();
        if (v.startsWith("PT") || v.startsWith("pt")) {
            try {
                return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw bad(value);
            }
        }
        Matcher m = HUMAN.matcher(v);
        if (!m.matches()) {
            throw bad(value);
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> throw bad(value);
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    /** {@code 120ms}, {@code 2s}, {@code 1.5s}, {@code 5m}: the shortest form that is exact. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1_000 == 0 && ms >= 1_000) {
            return (ms / 1_000) + "s";
        }
        return ms + "ms";
    }

    private static IllegalArgumentException bad(String value) {
        return new IllegalArgumentException("invalid duration '" + value + "': use e.g. 250ms, 2s, 1.5s, 5m");
    }
}
