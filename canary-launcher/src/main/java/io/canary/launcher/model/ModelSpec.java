package io.canary.launcher.model;

import io.canary.launcher.Durations;
import io.canary.model.Weights;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What serves one version behind {@code /predict}: a built-in simulated model or a real HTTP
 * backend. Pure data, parsed from {@code --model}; {@link ModelBackend#create} turns it into a
 * running backend.
 */
public sealed interface ModelSpec permits ModelSpec.Demo, ModelSpec.Http {

    /** Default simulated median latency. */
    Duration DEFAULT_DEMO_LATENCY = Duration.ofMillis(40);
    /** Default simulated error probability. */
    double DEFAULT_DEMO_ERRORS = 0.01;
    /** Default timeout of a call to an HTTP backend. */
    Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);

    /** A one-line description for start-up output, e.g. {@code demo(latency=40ms, errors=0.01)}. */
    String describe();

    /**
     * A simulated model: log-normal latency around {@code latency} (the median), failing with
     * probability {@code errorRate}.
     */
    record Demo(Duration latency, double errorRate) implements ModelSpec {
        public Demo {
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative()) {
                throw new IllegalArgumentException("demo model latency must be >= 0, got " + latency);
            }
            if (Double.isNaN(errorRate) || errorRate < 0 || errorRate > 1) {
                throw new IllegalArgumentException("demo model errors must be in [0,1], got " + errorRate);
            }
        }

        @Override
        public String describe() {
            return "demo(latency=" + Durations.format(latency) + ", errors=" + errorRate + ")";
        }
    }

    /** A real backend: {@code /predict} bodies are POSTed to {@code uri}. */
    record Http(URI uri, Duration timeout) implements ModelSpec {
        public Http {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("http model timeout must be positive, got " + timeout);
            }
        }

        @Override
        public String describe() {
            return uri.toString();
        }
    }

    /**
     * Parses one {@code --model} value: {@code v1=demo}, {@code v2=demo:latency=120ms,errors=0.01},
     * {@code v2=http://host:port/path}.
     *
     * @throws IllegalArgumentException saying which part of {@code option} is wrong
     */
    static Map.Entry<String, ModelSpec> parse(String option) {
        Objects.requireNonNull(option, "option");
        int eq = option.indexOf('=');
        if (eq <= 0 || eq == option.length() - 1) {
            throw new IllegalArgumentException("bad model spec '" + option
                    + "': expected VERSION=demo[:latency=120ms,errors=0.01] or VERSION=http://host:port/path");
        }
        String version = option.substring(0, eq).trim();
        try {
            Weights.all(version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad model spec '" + option + "': " + e.getMessage());
        }
        String rest = option.substring(eq + 1).trim();
        String lower = rest.toLowerCase(Locale.ROOT);
        if (lower.equals("demo") || lower.startsWith("demo:")) {
            return Map.entry(version, parseDemo(option, rest.length() > 4 ? rest.substring(5) : ""));
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(rest);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("bad model spec '" + option + "': the URL has no host");
                }
                return Map.entry(version, new Http(uri, DEFAULT_HTTP_TIMEOUT));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("bad model spec '" + option + "': " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("bad model spec '" + option
                + "': the backend must be 'demo[:latency=..,errors=..]' or an http:// or https:// URL");
    }

    private static Demo parseDemo(String option, String params) {
        Duration latency = DEFAULT_DEMO_LATENCY;
        double errors = DEFAULT_DEMO_ERRORS;
        if (!params.isBlank()) {
            for (String kv : params.split(",")) {
                int eq = kv.indexOf('=');
                String key = eq < 0 ? kv.trim() : kv.substring(0, eq).trim();
                String value = eq < 0 ? "" : kv.substring(eq + 1).trim();
                try {
                    switch (key) {
                        case "latency" -> latency = Durations.parse(value);
                        case "errors" -> errors = Double.parseDouble(value);
                        default -> throw new IllegalArgumentException("unknown parameter '" + key
                                + "' (known: latency, errors)");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad model spec '" + option + "': errors must be a number in [0,1], got '" + value + "'");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad model spec '" + option + "': " + e.getMessage());
                }
            }
        }
        try {
            return new Demo(latency, errors);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad model spec '" + option + "': " + e.getMessage());
        }
    }
}
