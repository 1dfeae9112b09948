package io.canary.launcher;

import java.time.Duration;
import picocli.CommandLine;

/**
 * Picocli's reading of a {@link Duration} option through {@link Durations#parse}. {@link CanaryCli}
 * registers it for every command; the client commands also name it on their options so that they
 * parse the same way when run on their own (tests).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
