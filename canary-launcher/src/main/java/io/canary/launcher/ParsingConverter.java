package io.canary.launcher;

import java.util.function.Function;
import picocli.CommandLine;

/**
 * A Picocli option converter made of a parse function: a value it refuses becomes Picocli's one-line
 * bad-value error (exit code 2), worded by {@code problem} or, without one, by the parse function's
 * own message. Subclasses only name the two, in a public no-argument constructor (Picocli
 * instantiates converters by class).
 *
 * @param <T> the option's type
 */
public abstract class ParsingConverter<T> implements CommandLine.ITypeConverter<T> {
    private final Function<String, T> parse;
    private final Function<String, String> problem;

    /**
     * @param parse reads a value, throwing an {@link IllegalArgumentException} (a
     *     {@link NumberFormatException} among them) for a bad one
     * @param problem the line for a bad value, or null to use the exception's message
     */
    protected ParsingConverter(Function<String, T> parse, Function<String, String> problem) {
        this.parse = parse;
        this.problem = problem;
    }

    @Override
    public final T convert(String value) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(problem != null ? problem.apply(value) : e.getMessage());
        }
    }
}
