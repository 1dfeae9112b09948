package io.canary.launcher.node;

import io.canary.launcher.KeyValues;
import io.canary.launcher.model.ModelSpec;
import io.canary.model.Weights;
import io.canary.net.HostPort;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The typed values of {@code canary node}'s structured options and their Picocli converters. A
 * converter's message says what is wrong and what is expected; Picocli prefixes it with the option
 * ({@code Invalid value for option '--peers': ...}), and {@code ErrorReporter} prints the line.
 */
public final class NodeOptionTypes {
    private NodeOptionTypes() {
    }

    /** {@code --role}: which node of the reference layout this is, or a named participant. */
    public enum Role {
        COORDINATOR, PARTICIPANT, PARTICIPANT_B, PARTICIPANT_C;

        /** The word a user types: {@code participant_b}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String choices() {
            String[] words = Arrays.stream(values()).map(Role::word).toArray(String[]::new);
            return String.join(", ", Arrays.copyOf(words, words.length - 1)) + " or " + words[words.length - 1];
        }
    }

    /** {@code coordinator}, {@code participant-b}, {@code PARTICIPANT_C}: case and dash are free. */
    public static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            String word = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Role r : Role.values()) {
                if (r.name().equals(word)) {
                    return r;
                }
            }
            throw new TypeConversionException("unknown role '" + value + "': use " + Role.choices());
        }
    }

    /** {@code --peers}: every member's control address, in the order given. */
    public record Peers(Map<String, HostPort> members) {
        public Peers {
            members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }
    }

    /** {@code node-a=host:port,node-b=host:port}. */
    public static final class PeersConverter implements ITypeConverter<Peers> {
        @Override
        public Peers convert(String value) {
            Map<String, String> entries;
            try {
                entries = KeyValues.parse(value, "node", "node-a=host:port");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            Map<String, HostPort> m = new LinkedHashMap<>();
            entries.forEach((nodeId, address) -> {
                try {
                    m.put(nodeId, HostPort.parse(address));
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("bad entry for " + nodeId + ": " + e.getMessage());
                }
            });
            if (m.isEmpty()) {
                throw new TypeConversionException("empty: expected NODE_ID=HOST:PORT,...");
            }
            return new Peers(m);
        }
    }

    /** One {@code --model VERSION=BACKEND}. */
    public record ModelOption(String version, ModelSpec spec) {
    }

    /** {@code v2=demo:latency=150ms} or {@code v2=http://host:port/path}. */
    public static final class ModelConverter implements ITypeConverter<ModelOption> {
        @Override
        public ModelOption convert(String value) {
            try {
                Map.Entry<String, ModelSpec> e = ModelSpec.parse(value);
                return new ModelOption(e.getKey(), e.getValue());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code v1=0.9,v2=0.1} (commas or spaces, shares or percents), summing to 1. */
    public static final class WeightsConverter implements ITypeConverter<Weights> {
        @Override
        public Weights convert(String value) {
            try {
                return Weights.of(KeyValues.parseShares(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The models by version; a version named twice is a usage error. */
    static Map<String, ModelSpec> byVersion(java.util.List<ModelOption> options) {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        for (ModelOption o : options) {
            if (m.put(o.version(), o.spec()) != null) {
                throw new IllegalArgumentException("--model names version " + o.version() + " twice");
            }
        }
        return m;
    }
}
