package io.canary.launcher;

import java.time.Duration;

/**
 * Picocli's reading of a {@link Duration} option through {@link Durations#parse}. {@link CanaryCli}
 * registers it for every command; the client commands also name it on their options so that they
 * parse the same way when run on their own (tests).
 */
public final class DurationConverter extends ParsingConverter<Duration> {
    public DurationConverter() {
        super(Durations::parse, null);
    }
}
