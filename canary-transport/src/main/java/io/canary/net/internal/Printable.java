package io.canary.net.internal;

/** Makes text that a remote peer chose safe to put in a log line: no control characters, bounded length. */
final class Printable {
    private static final int MAX_CHARS = 64;

    private Printable() {
    }

    static String of(String untrusted) {
        return of(untrusted, MAX_CHARS);
    }

    static String of(String untrusted, int maxChars) {
        StringBuilder b = new StringBuilder(Math.min(untrusted.length(), maxChars) + 8);
        for (int i = 0; i < untrusted.length(); i++) {
            if (b.length() >= maxChars) {
                return b.append("...").toString();
            }
            char c = untrusted.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
