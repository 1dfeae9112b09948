package io.canary.launcher.proxy;

/**
 * The field names {@link WireHead} tells apart, and the byte comparisons it reads heads with
 * (ASCII, case-insensitive, no strings made). Pure functions; any thread.
 */
final class WireFields {
    static final byte OTHER = 0;
    static final byte CONTENT_LENGTH = 1;
    static final byte TRANSFER_ENCODING = 2;
    static final byte CONNECTION = 3;
    /** Keep-Alive, TE, Trailer, Upgrade, Proxy-Authorization, Proxy-Authenticate, Proxy-Connection. */
    static final byte HOP_BY_HOP = 4;
    static final byte HOST = 5;
    static final byte EXPECT = 6;
    static final byte X_FORWARDED_FOR = 7;
    static final byte X_FORWARDED_PROTO = 8;
    static final byte X_FORWARDED_HOST = 9;
    static final byte VIA = 10;
    static final byte CANARY_VERSION = 11;
    static final byte COOKIE = 12;

    static final boolean[] TOKEN = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private WireFields() {
    }

    static byte kindOf(byte[] b, int start, int length) {
        switch (length) {
            case 2:
                return equalsIgnoreCase(b, start, length, "te") ? HOP_BY_HOP : OTHER;
            case 3:
                return equalsIgnoreCase(b, start, length, "via") ? VIA : OTHER;
            case 4:
                return equalsIgnoreCase(b, start, length, "host") ? HOST : OTHER;
            case 6:
                return equalsIgnoreCase(b, start, length, "cookie") ? COOKIE : equalsIgnoreCase(b, start, length, "expect") ? EXPECT : OTHER;
            case 7:
                return equalsIgnoreCase(b, start, length, "trailer") || equalsIgnoreCase(b, start, length, "upgrade") ? HOP_BY_HOP : OTHER;
            case 10:
                return equalsIgnoreCase(b, start, length, "connection") ? CONNECTION
                        : equalsIgnoreCase(b, start, length, "keep-alive") ? HOP_BY_HOP : OTHER;
            case 14:
                return equalsIgnoreCase(b, start, length, "content-length") ? CONTENT_LENGTH : OTHER;
            case 15:
                return equalsIgnoreCase(b, start, length, "x-forwarded-for") ? X_FORWARDED_FOR : OTHER;
            case 16:
                return equalsIgnoreCase(b, start, length, "x-forwarded-host") ? X_FORWARDED_HOST
                        : equalsIgnoreCase(b, start, length, "x-canary-version") ? CANARY_VERSION
                        : equalsIgnoreCase(b, start, length, "proxy-connection") ? HOP_BY_HOP : OTHER;
            case 17:
                return equalsIgnoreCase(b, start, length, "transfer-encoding") ? TRANSFER_ENCODING
                        : equalsIgnoreCase(b, start, length, "x-forwarded-proto") ? X_FORWARDED_PROTO : OTHER;
            case 18:
                return equalsIgnoreCase(b, start, length, "proxy-authenticate") ? HOP_BY_HOP : OTHER;
            case 19:
                return equalsIgnoreCase(b, start, length, "proxy-authorization") ? HOP_BY_HOP : OTHER;
            default:
                return OTHER;
        }
    }

    /** Whether {@code length} bytes from {@code start} spell {@code s} (ASCII, case-insensitive). */
    static boolean equalsIgnoreCase(byte[] b, int start, int length, CharSequence s) {
        if (length != s.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int c = b[start + i];
            int d = s.charAt(i);
            if (c != d && (c | 0x20) != (d | 0x20)) {
                return false;
            }
            if (c != d && ((c | 0x20) < 'a' || (c | 0x20) > 'z')) {
                return false;
            }
        }
        return true;
    }

    static boolean sameIgnoringCase(byte[] b, int x, int y, int length) {
        for (int i = 0; i < length; i++) {
            int c = b[x + i];
            int d = b[y + i];
            if (c != d && ((c | 0x20) != (d | 0x20) || (c | 0x20) < 'a' || (c | 0x20) > 'z')) {
                return false;
            }
        }
        return true;
    }
}
