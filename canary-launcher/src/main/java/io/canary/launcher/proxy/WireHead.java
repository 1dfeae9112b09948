package io.canary.launcher.proxy;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.x message head as it came off the wire, parsed in one pass over its bytes: the start
 * line's parts and, per header field, where its name and value lie and what kind of field the
 * proxy takes it for ({@link #kind}). Nothing is decoded into strings or maps: routing reads the
 * few headers it needs ({@link #header}), and the head is forwarded by copying its byte ranges with
 * the proxy's edits ({@link WireHeads}).
 *
 * <p>What is refused ({@link Malformed}, a 400 to a client): a bad start line, a field name that is
 * not a token or has white space before its colon, a folded line (obs-fold), a control character
 * in a request's value (a bare CR among them: what would let a request split at an upstream), an
 * unreadable or conflicting {@code Content-Length}, two {@code Host} fields in a request, and in a request a {@code Transfer-Encoding}
 * that does not end in {@code chunked} or comes with a {@code Content-Length} (request smuggling).
 *
 * <p>Threading: made and read on one event loop; immutable once parsed.
 */
final class WireHead implements Wire, RequestRouter.Head {
    /** A head the proxy will not pass on. */
    static final class Malformed extends Exception {
        final int status;

        Malformed(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The head's bytes, start line to the empty line that ends it. */
    final byte[] b;
    final boolean request;
    /** Requests: the method is {@code [0, methodEnd)}, the target {@code [targetStart, targetEnd)}. */
    int methodEnd;
    int targetStart;
    int targetEnd;
    /** Answers: the status code, and where the start line goes on from the code ({@code "200 OK"}). */
    int status;
    int statusStart;
    int statusLineEnd;
    boolean http10;
    int count;
    /** Per field: name start, name end, value start, value end (value without surrounding white space). */
    int[] fields = new int[4 * 8];
    byte[] kinds = new byte[8];
    /** The declared body length, -1 without one. */
    long contentLength = -1;
    boolean chunked;
    /** A Transfer-Encoding that does not end in chunked (an answer framed by the connection's end). */
    boolean otherTransferEncoding;
    boolean connectionClose;
    boolean connectionKeepAlive;
    /** The Connection header names other fields (to drop as hop-by-hop). */
    boolean connectionNames;
    boolean expectContinue;
    boolean otherExpectation;
    int host = -1;

    private WireHead(byte[] b, boolean request) {
        this.b = b;
        this.request = request;
    }

    /** Parses a whole head (its bytes end with the empty line). */
    static WireHead parse(byte[] b, boolean request) throws Malformed {
        WireHead h = new WireHead(b, request);
        int lf = indexOf(b, 0, (byte) '\n');
        int end = lineEnd(b, lf);
        if (request) {
            h.requestLine(end);
        } else {
            h.statusLine(end);
        }
        int pos = lf + 1;
        while (pos < b.length) {
            lf = indexOf(b, pos, (byte) '\n');
            end = lineEnd(b, lf);
            if (end == pos) {
                break; // the empty line
            }
            h.field(pos, end);
            pos = lf + 1;
        }
        if (request && h.chunked && h.contentLength >= 0) {
            throw new Malformed(400, "a request with both Transfer-Encoding and Content-Length");
        }
        if (request && h.otherTransferEncoding) {
            throw new Malformed(400, "a request Transfer-Encoding that does not end in chunked");
        }
        return h;
    }

    private static int indexOf(byte[] b, int from, byte c) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return b.length;
    }

    /** The end of the line whose LF is at {@code lf} (before its CR, if any). */
    private static int lineEnd(byte[] b, int lf) {
        return lf > 0 && b[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private void requestLine(int end) throws Malformed {
        int sp = 0;
        while (sp < end && WireFields.TOKEN[b[sp] & 0xff]) {
            sp++;
        }
        if (sp == 0 || sp >= end || b[sp] != ' ') {
            throw new Malformed(400, "malformed request line");
        }
        methodEnd = sp;
        targetStart = sp + 1;
        int t = targetStart;
        while (t < end && (b[t] & 0xff) > ' ' && b[t] != 0x7f) {
            t++;
        }
        if (t == targetStart || t >= end || b[t] != ' ') {
            throw new Malformed(400, "malformed request line");
        }
        targetEnd = t;
        version(t + 1, end);
    }

    private void version(int from, int end) throws Malformed {
        if (end - from != 8 || !startsWith(from, "HTTP/") || b[from + 6] != '.') {
            throw new Malformed(request ? 400 : 502, request ? "malformed request line" : "malformed status line");
        }
        byte minor = b[from + 7];
        if (b[from + 5] != '1' || (minor != '1' && minor != '0')) {
            throw new Malformed(request ? 505 : 502, "unsupported HTTP version");
        }
        http10 = minor == '0';
    }

    private void statusLine(int end) throws Malformed {
        if (end < 12 || b[8] != ' ') {
            throw new Malformed(502, "malformed status line");
        }
        version(0, 8);
        int code = 0;
        for (int i = 9; i < 12; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new Malformed(502, "malformed status line");
            }
            code = code * 10 + d;
        }
        if (end > 12 && b[12] != ' ') {
            throw new Malformed(502, "malformed status line");
        }
        status = code;
        statusStart = 9;
        statusLineEnd = end;
    }

    private boolean startsWith(int from, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void field(int start, int end) throws Malformed {
        byte first = b[start];
        if (first == ' ' || first == '\t') {
            throw new Malformed(request ? 400 : 502, "a folded header line (obs-fold)");
        }
        int colon = start;
        while (colon < end && WireFields.TOKEN[b[colon] & 0xff]) {
            colon++;
        }
        if (colon == start || colon >= end || b[colon] != ':') {
            throw new Malformed(request ? 400 : 502, "malformed header line");
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        if (request) {
            for (int i = vs; i < ve; i++) {
                int c = b[i] & 0xff;
                if ((c < ' ' && c != '\t') || c == 0x7f) {
                    throw new Malformed(400, "a control character in a header value");
                }
            }
        }
        if (count == kinds.length) {
            kinds = java.util.Arrays.copyOf(kinds, count * 2);
            fields = java.util.Arrays.copyOf(fields, count * 8);
        }
        int i = count++;
        fields[4 * i] = start;
        fields[4 * i + 1] = colon;
        fields[4 * i + 2] = vs;
        fields[4 * i + 3] = ve;
        byte kind = WireFields.kindOf(b, start, colon - start);
        kinds[i] = kind;
        switch (kind) {
            case WireFields.CONTENT_LENGTH -> contentLength(vs, ve);
            case WireFields.TRANSFER_ENCODING -> {
                chunked = lastTokenIs(vs, ve, "chunked");
                otherTransferEncoding = !chunked;
            }
            case WireFields.CONNECTION -> connection(vs, ve);
            case WireFields.EXPECT -> {
                if (WireFields.equalsIgnoreCase(b, vs, ve - vs, "100-continue")) {
                    expectContinue = true;
                } else {
                    otherExpectation = true;
                }
            }
            case WireFields.HOST -> {
                if (host >= 0 && request) {
                    throw new Malformed(400, "more than one Host field"); // RFC 9112 3.2: which host is meant?
                }
                host = host < 0 ? i : host;
            }
            default -> {
            }
        }
    }

    private void contentLength(int vs, int ve) throws Malformed {
        long n = 0;
        if (ve == vs || ve - vs > 18) {
            throw new Malformed(request ? 400 : 502, "an unreadable Content-Length");
        }
        for (int i = vs; i < ve; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new Malformed(request ? 400 : 502, "an unreadable Content-Length");
            }
            n = n * 10 + d;
        }
        if (contentLength >= 0 && contentLength != n) {
            throw new Malformed(request ? 400 : 502, "conflicting Content-Length values");
        }
        contentLength = n;
    }

    private void connection(int vs, int ve) {
        int from = vs;
        while (from <= ve) {
            int comma = tokenEnd(from, ve);
            int s = trimStart(from, comma);
            int e = trimEnd(s, comma);
            if (WireFields.equalsIgnoreCase(b, s, e - s, "close")) {
                connectionClose = true;
            } else if (WireFields.equalsIgnoreCase(b, s, e - s, "keep-alive")) {
                connectionKeepAlive = true;
            } else if (e > s) {
                connectionNames = true;
            }
            from = comma + 1;
        }
    }

    /** The end of the comma-separated token of a field value that starts at {@code from}: its comma, or {@code ve}. */
    private int tokenEnd(int from, int ve) {
        int comma = from;
        while (comma < ve && b[comma] != ',') {
            comma++;
        }
        return comma;
    }

    /** The first byte of {@code [s, e)} after optional whitespace (RFC 9110 OWS). */
    private int trimStart(int s, int e) {
        while (s < e && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        return s;
    }

    /** The end of {@code [s, e)} before trailing optional whitespace. */
    private int trimEnd(int s, int e) {
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        return e;
    }

    private boolean lastTokenIs(int vs, int ve, String token) {
        int s = ve;
        while (s > vs && b[s - 1] != ',') {
            s--;
        }
        while (s < ve && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        return WireFields.equalsIgnoreCase(b, s, ve - s, token);
    }

    int nameStart(int i) {
        return fields[4 * i];
    }

    int nameEnd(int i) {
        return fields[4 * i + 1];
    }

    int valueStart(int i) {
        return fields[4 * i + 2];
    }

    int valueEnd(int i) {
        return fields[4 * i + 3];
    }

    String value(int i) {
        return new String(b, valueStart(i), valueEnd(i) - valueStart(i), StandardCharsets.ISO_8859_1);
    }

    String method() {
        return new String(b, 0, methodEnd, StandardCharsets.US_ASCII);
    }

    boolean methodIs(String m) {
        return methodEnd == m.length() && startsWith(0, m);
    }

    /** The target as the client wrote it. */
    String target() {
        return new String(b, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
    }

    /** Whether the target is already in origin form ({@code /path?query}). */
    boolean originFormTarget() {
        return b[targetStart] == '/';
    }

    /** Whether the other side may send another message on this connection after this one. */
    boolean keepAlive() {
        return !connectionClose && (!http10 || connectionKeepAlive);
    }

    /** Whether field {@code i} is named by a {@code Connection} header (so hop-by-hop); framing fields never are. */
    boolean namedByConnection(int i) {
        if (!connectionNames || kinds[i] == WireFields.CONTENT_LENGTH || kinds[i] == WireFields.TRANSFER_ENCODING) {
            return false;
        }
        int ns = nameStart(i);
        int nl = nameEnd(i) - ns;
        for (int c = 0; c < count; c++) {
            if (kinds[c] != WireFields.CONNECTION) {
                continue;
            }
            int from = valueStart(c);
            int ve = valueEnd(c);
            while (from <= ve) {
                int comma = tokenEnd(from, ve);
                int s = trimStart(from, comma);
                int e = trimEnd(s, comma);
                if (e - s == nl && WireFields.sameIgnoringCase(b, s, ns, nl)) {
                    return true;
                }
                from = comma + 1;
            }
        }
        return false;
    }

    @Override
    public String header(CharSequence name) {
        for (int i = 0; i < count; i++) {
            int ns = nameStart(i);
            if (nameEnd(i) - ns == name.length() && WireFields.equalsIgnoreCase(b, ns, name.length(), name)) {
                return value(i);
            }
        }
        return null;
    }

    @Override
    public String cookies() {
        String joined = null;
        for (int i = 0; i < count; i++) {
            if (kinds[i] == WireFields.COOKIE) {
                joined = joined == null ? value(i) : joined + "; " + value(i);
            }
        }
        return joined;
    }
}
