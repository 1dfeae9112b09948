package io.canary.launcher.proxy;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule that pins a request to one version, whatever the weights: testers reaching the canary on
 * purpose. Either the header's or cookie's value names the version ({@code header:X-Canary-Version},
 * {@code cookie:canary-version}), or the rule names it and the header or cookie only has to be
 * present ({@code cookie:tester=v2}, {@code header:X-Beta=v2}). Immutable.
 *
 * <p>A pin is honoured only for a version the committed routing state names and the proxy has an
 * upstream for, and never during fail-safe for a version other than the baseline (see
 * {@link RequestRouter}); otherwise the request is routed by the weights as if unpinned.
 *
 * @param source where the rule looks
 * @param name the header (case-insensitive) or cookie (case-sensitive) name
 * @param version the version it pins to; empty: the value names it
 */
public record PinRule(Source source, String name, Optional<String> version) {

    /** Where a rule looks. */
    public enum Source { HEADER, COOKIE }

    /** The default rule: {@code X-Canary-Version: v2} pins to v2. */
    public static final PinRule VERSION_HEADER = new PinRule(Source.HEADER, "X-Canary-Version", Optional.empty());

    public PinRule {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(version, "version");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a pin rule needs a header or cookie name");
        }
    }

    /**
     * Parses {@code header:NAME}, {@code header:NAME=VERSION}, {@code cookie:NAME} or
     * {@code cookie:NAME=VERSION}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static PinRule parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        String kind = colon < 0 ? "" : text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        Source source = switch (kind) {
            case "header" -> Source.HEADER;
            case "cookie" -> Source.COOKIE;
            default -> throw new IllegalArgumentException("bad pin rule '" + text
                    + "': expected header:NAME, header:NAME=VERSION, cookie:NAME or cookie:NAME=VERSION");
        };
        String rest = text.substring(colon + 1).trim();
        int eq = rest.indexOf('=');
        String name = eq < 0 ? rest : rest.substring(0, eq).trim();
        String version = eq < 0 ? "" : rest.substring(eq + 1).trim();
        if (name.isEmpty() || (eq >= 0 && version.isEmpty())) {
            throw new IllegalArgumentException("bad pin rule '" + text + "': the " + (name.isEmpty() ? "name" : "version")
                    + " is empty");
        }
        return new PinRule(source, name, version.isEmpty() ? Optional.empty() : Optional.of(version));
    }

    @Override
    public String toString() {
        return source.name().toLowerCase(Locale.ROOT) + ":" + name + version.map(v -> "=" + v).orElse("");
    }
}
