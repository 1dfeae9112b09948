package io.canary.net.codec;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The wire codes of one enum: each constant travels as an explicit one-byte code, never as its
 * {@code ordinal()}, so reordering or inserting constants in the model cannot silently change what
 * a frame means. Codes are part of the protocol: never reuse or renumber one; a new constant takes
 * a new code (and bumps {@link WireFormat#PROTOCOL_VERSION}). Code 0 is never assigned, so a
 * zeroed byte is caught as unknown. Immutable and thread-safe.
 *
 * @param <E> the enum
 */
public final class WireEnum<E extends Enum<E>> {
    private final String what;
    private final Map<E, Integer> codes;
    private final Object[] byCode = new Object[256];
    private final String known;

    private WireEnum(String what, Map<E, Integer> codes) {
        this.what = what;
        this.codes = codes;
        StringJoiner known = new StringJoiner(", ");
        codes.values().stream().sorted().forEach(c -> known.add(String.valueOf(c)));
        this.known = known.toString();
        codes.forEach((e, c) -> byCode[c] = e);
    }

    /**
     * The codes of {@code type}'s constants.
     *
     * @param what the field's name in decode errors, e.g. "rollout phase"
     * @param codes a code in [1,255] for every constant, no code twice
     * @throws IllegalStateException if a constant has no code (a constant added to the model but not
     *     here), a code is out of range or used twice: a programming error, caught by the codec tests
     */
    public static <E extends Enum<E>> WireEnum<E> of(Class<E> type, String what, Map<E, Integer> codes) {
        Objects.requireNonNull(what, "what");
        EnumMap<E, Integer> copy = new EnumMap<>(type);
        copy.putAll(codes);
        for (E e : type.getEnumConstants()) {
            if (!copy.containsKey(e)) {
                throw new IllegalStateException(what + ": " + type.getSimpleName() + "." + e.name() + " has no wire code");
            }
        }
        if (copy.values().stream().anyMatch(c -> c == null || c < 1 || c > 255)) {
            throw new IllegalStateException(what + ": wire codes must be in [1,255], got " + copy);
        }
        if (copy.values().stream().distinct().count() != copy.size()) {
            throw new IllegalStateException(what + ": a wire code is used twice in " + copy);
        }
        return new WireEnum<>(what, copy);
    }

    /** The wire code of {@code value}. */
    public int code(E value) {
        return codes.get(Objects.requireNonNull(value, what));
    }

    /** Writes the code of {@code value} as one byte. */
    public void write(WireWriter w, E value) {
        w.writeByte(code(value));
    }

    /**
     * Reads one byte and maps it back to its constant.
     *
     * @throws CodecException naming the field, the code and the known codes, for a code no
     *     constant has
     */
    @SuppressWarnings("unchecked")
    public E read(WireReader r) {
        int c = r.readUnsignedByte(what);
        Object e = byCode[c];
        if (e == null) {
            throw new CodecException(what + ": unknown code " + c + " (known: " + known + ")");
        }
        return (E) e;
    }

    /** Every constant with its code, in declaration order: for tests that pin the wire. */
    public Map<E, Integer> codes() {
        return java.util.Collections.unmodifiableMap(codes);
    }

    @Override
    public String toString() {
        return what + " " + Arrays.toString(codes.entrySet().toArray());
    }
}
