package io.canary.launcher.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for what a polite client library will not send or hide (hop-by-hop
 * headers, oversized headers, a body that never comes) and to see the wire (chunked framing).
 */
final class RawHttp implements AutoCloseable {
    /** One response: status, headers as read (name lower-cased), body decoded from its framing. */
    record Reply(int status, List<String[]> headers, byte[] body, boolean chunked) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equals(name.toLowerCase(Locale.ROOT))) {
                    return h[1];
                }
            }
            return null;
        }

        /** Asserts a 200 whose body is {@code size} bytes of {@link TestUpstream#pattern}, chunked on the wire or not. */
        Reply assertStreamed(int size, boolean chunkedOnTheWire) {
            org.assertj.core.api.Assertions.assertThat(status).isEqualTo(200);
            org.assertj.core.api.Assertions.assertThat(chunked).isEqualTo(chunkedOnTheWire);
            org.assertj.core.api.Assertions.assertThat(body).hasSize(size);
            org.assertj.core.api.Assertions.assertThat(body[size - 1]).isEqualTo(TestUpstream.pattern(size - 1));
            return this;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The status line and header lines of the last reply read, as they came (CRLF after each). */
    String lastHead = "";

    RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true); // a head sent in pieces reaches the proxy in pieces
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response; {@code head} for an answer to HEAD (no body whatever the headers say). */
    Reply read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        StringBuilder raw = new StringBuilder(statusLine).append("\r\n");
        for (String l; (l = line()) != null && !l.isEmpty(); ) {
            raw.append(l).append("\r\n");
            int c = l.indexOf(':');
            headers.add(new String[] {l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim()});
        }
        lastHead = raw.toString();
        Reply partial = new Reply(status, headers, new byte[0], false);
        String te = partial.header("transfer-encoding");
        String cl = partial.header("content-length");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            return partial;
        }
        if (chunked) {
            for (;;) {
                String size = line();
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(n));
                line();
            }
        } else if (cl != null) {
            body.write(in.readNBytes(Integer.parseInt(cl)));
        } else {
            body.write(in.readAllBytes());
        }
        return new Reply(status, headers, body.toByteArray(), chunked);
    }

    /** Everything up to and including {@code end}, as it comes (framing and all). */
    String readUntil(String end) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < end.length() || !b.substring(b.length() - end.length()).equals(end)) {
            int c = in.read();
            if (c == -1) {
                throw new IOException("closed after " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** The next {@code n} bytes as they come, framing and all. */
    String readBytes(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** True if the server closed the connection (read returns end of stream) within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
