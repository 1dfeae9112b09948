package io.canary.net.codec;

import java.util.function.Supplier;

/** Turns the validation errors of the model's constructors into codec errors. */
final class Decoding {
    private Decoding() {
    }

    /**
     * Builds a decoded value through its validating constructor; bytes that decode to values the
     * model refuses (weights not summing to 10000, a negative window...) are a malformed message.
     */
    static <T> T build(String what, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException | IndexOutOfBoundsException e) {
            throw new CodecException("invalid " + what + ": " + e.getMessage());
        }
    }
}
