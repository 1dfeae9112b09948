package io.canary.log;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The lexical layer of the log format. A line is {@code KIND key=value key=value ...}; a value is
 * written bare when it is plain text without spaces, quotes or backslashes, and otherwise quoted with
 * backslash escapes ({@code \" \\ \n \r \t \}{@code uXXXX}), so that any string, however awkward, keeps
 * the record on one readable line. A bare {@code -} stands for an absent value; a string that really
 * is "-" is written quoted.
 */
final class LogText {
    /** The bare token that stands for "absent". */
    static final String ABSENT = "-";

    private LogText() {
    }

    /** Appends {@code " key=value"}, the value quoted as {@link #quote} does. */
    static void field(StringBuilder sb, String key, String value) {
        sb.append(' ').append(key).append('=').append(quote(value));
    }

    /** {@code value} as a token: bare if it can be, else quoted and escaped. */
    static String quote(String value) {
        if (!value.isEmpty() && !value.equals(ABSENT) && isBare(value)) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 8).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c != ' ' && invisible(value, i, c)) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean isBare(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '"' || c == '\\' || invisible(value, i, c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Characters that would break a line, hide in it, or not survive UTF-8: controls, line and
     * paragraph separators, spaces other than ASCII's, format characters (but the zero-width joiner
     * that emoji sequences need), and unpaired surrogates.
     */
    private static boolean invisible(String s, int i, char c) {
        if (Character.isISOControl(c) || Character.isSpaceChar(c) || c == '\u2028' || c == '\u2029') {
            return true;
        }
        if (Character.getType(c) == Character.FORMAT) {
            return c != '\u200D';
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    /** Splits {@code s} on {@code sep}, keeping empty parts; an empty string has no parts. */
    static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        if (s.isEmpty()) {
            return parts;
        }
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == sep) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    /** The fields of one line, with typed getters whose errors name the field. */
    static final class Fields {
        private final String kind;
        private final Map<String, String> values = new HashMap<>();
        private final Map<String, Boolean> quoted = new HashMap<>();

        Fields(String content) {
            int space = content.indexOf(' ');
            kind = space < 0 ? content : content.substring(0, space);
            if (kind.isEmpty()) {
                throw new LogFormatException("empty record");
            }
            int i = space < 0 ? content.length() : space;
            while (i < content.length()) {
                if (content.charAt(i) != ' ' || i + 1 >= content.length()) {
                    throw new LogFormatException("stray space at column " + i);
                }
                int eq = content.indexOf('=', i + 1);
                int nextSpace = content.indexOf(' ', i + 1);
                if (eq < 0 || eq == i + 1 || nextSpace >= 0 && nextSpace < eq) {
                    throw new LogFormatException("token at column " + (i + 1) + " is not key=value");
                }
                String key = content.substring(i + 1, eq);
                int start = eq + 1;
                boolean isQuoted = start < content.length() && content.charAt(start) == '"';
                StringBuilder value = new StringBuilder();
                i = isQuoted ? readQuoted(content, start + 1, value, key) : readBare(content, start, value);
                if (values.put(key, value.toString()) != null) {
                    throw new LogFormatException("field " + key + " appears twice");
                }
                quoted.put(key, isQuoted);
            }
        }

        private static int readBare(String s, int from, StringBuilder out) {
            int end = s.indexOf(' ', from);
            end = end < 0 ? s.length() : end;
            out.append(s, from, end);
            return end;
        }

        private static int readQuoted(String s, int from, StringBuilder out, String key) {
            int i = from;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) != ' ') {
                        throw new LogFormatException("text after the closing quote of " + key);
                    }
                    return i + 1;
                }
                if (c != '\\') {
                    out.append(c);
                    i++;
                    continue;
                }
                if (i + 1 >= s.length()) {
                    break;
                }
                char e = s.charAt(i + 1);
                switch (e) {
                    case '"': case '\\': out.append(e); i += 2; break;
                    case 'n': out.append('\n'); i += 2; break;
                    case 'r': out.append('\r'); i += 2; break;
                    case 't': out.append('\t'); i += 2; break;
                    case 'u':
                        if (i + 6 > s.length()) {
                            throw new LogFormatException("truncated \\u escape in " + key);
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException bad) {
                            throw new LogFormatException("bad \\u escape in " + key);
                        }
                        i += 6;
                        break;
                    default:
                        throw new LogFormatException("unknown escape \\" + e + " in " + key);
                }
            }
            throw new LogFormatException("unterminated quoted value of " + key);
        }

        String kind() {
            return kind;
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        String raw(String key) {
            String v = values.get(key);
            if (v == null) {
                throw new LogFormatException("missing field " + key);
            }
            return v;
        }

        /** True if the field is the bare absent marker {@code -}. */
        boolean isAbsent(String key) {
            return ABSENT.equals(raw(key)) && !quoted.get(key);
        }

        String string(String key) {
            return raw(key);
        }

        long longValue(String key) {
            return parse(key, Long::parseLong);
        }

        int intValue(String key) {
            return parse(key, Integer::parseInt);
        }

        double doubleValue(String key) {
            return parse(key, Double::parseDouble);
        }

        <T> T parse(String key, Function<String, T> parser) {
            String v = raw(key);
            try {
                return parser.apply(v);
            } catch (RuntimeException e) {
                throw new LogFormatException("bad value for " + key + ": '" + v + "'", e);
            }
        }
    }
}
