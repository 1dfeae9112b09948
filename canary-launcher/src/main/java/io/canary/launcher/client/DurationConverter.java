package io.canary.launcher.client;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** Picocli converter for {@code 500ms}, {@code 30s}, {@code 2m}; the error message says what is accepted. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
