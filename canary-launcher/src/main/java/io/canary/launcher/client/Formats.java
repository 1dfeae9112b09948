package io.canary.launcher.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Number and map formats shared by the commands' output. */
public final class Formats {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private Formats() {
    }

    /** A double as Python prints it: {@code 1.0}, {@code 0.95}, {@code 0.0001}. */
    public static String pyFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        String plain = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /** Weights as the original guide prints them: {@code {'v1': 0.95, 'v2': 0.05}}, sorted by version. */
    public static String pyWeights(Map<String, Double> weights) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Double> e : new TreeMap<>(weights).entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('\'').append(e.getKey()).append("': ").append(pyFloat(e.getValue() == null ? 0 : e.getValue()));
        }
        return sb.append('}').toString();
    }

    /** Weights as percentages: {@code v1 95%, v2 5%}. */
    public static String percentWeights(Map<String, Double> weights) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : new TreeMap<>(weights).entrySet()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append(' ').append(trimmed(e.getValue() * 100)).append('%');
        }
        return sb.toString();
    }

    /** {@code 0.1} as {@code 10.00%}. */
    public static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.2f%%", ratio * 100);
    }

    /** Milliseconds with one decimal: {@code 120.0ms}. */
    public static String millis(double ms) {
        return String.format(Locale.ROOT, "%.1fms", ms);
    }

    /** A number without needless decimals: {@code 25}, {@code 2.5}. */
    public static String trimmed(double d) {
        return BigDecimal.valueOf(Math.round(d * 100) / 100.0).stripTrailingZeros().toPlainString();
    }

    /** Local wall-clock time of an epoch-millisecond instant, {@code HH:mm:ss}; {@code -} for 0. */
    public static String clock(long epochMillis) {
        return epochMillis <= 0 ? "-" : CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }
}
