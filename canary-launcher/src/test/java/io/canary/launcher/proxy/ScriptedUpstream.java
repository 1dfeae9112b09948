package io.canary.launcher.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An upstream on a plain server socket that keeps the exact bytes of every request it reads (head
 * and body, as framed on the wire) and answers each with the bytes a script gives it: for checking
 * what the proxy puts on the wire, which an HTTP server library would normalise away. An answer
 * script that returns null closes the connection instead; {@code CLOSE} after an answer's bytes
 * closes it once they are written (an answer framed by the connection's end).
 */
final class ScriptedUpstream implements AutoCloseable {
    static final String CLOSE = "\u0000close";

    private final ServerSocket server;
    private final Function<String, String> script;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Integer> connections = new CopyOnWriteArrayList<>();

    /** @param script from a request's bytes (ISO-8859-1) to the answer's; null to close */
    ScriptedUpstream(Function<String, String> script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::accept, "scripted-upstream");
        t.setDaemon(true);
        t.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.add(s.getPort());
                Thread t = new Thread(() -> serve(s), "scripted-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new java.io.BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            for (;;) {
                String request = readMessage(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                String answer = script.apply(request);
                if (answer == null) {
                    return;
                }
                boolean close = answer.endsWith(CLOSE);
                out.write(answer.replace(CLOSE, "").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy went away
        }
    }

    /** One request's bytes: head, then the body by Content-Length or chunks, exactly as read. */
    private static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String head = readUntilEmptyLine(in, b);
        if (head == null) {
            return null;
        }
        String lower = head.toLowerCase(Locale.ROOT);
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            for (;;) {
                String size = line(in, b);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while (!line(in, b).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                b.write(in.readNBytes(n));
                line(in, b);
            }
        } else {
            int at = lower.indexOf("\r\ncontent-length: ");
            if (at >= 0) {
                int end = lower.indexOf("\r\n", at + 2);
                b.write(in.readNBytes(Integer.parseInt(lower.substring(at + 18, end).trim())));
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readUntilEmptyLine(InputStream in, ByteArrayOutputStream b) throws IOException {
        StringBuilder head = new StringBuilder();
        for (;;) {
            String l = line(in, b);
            if (l == null) {
                return null;
            }
            head.append(l).append("\r\n");
            if (l.isEmpty()) {
                return head.toString();
            }
        }
    }

    private static String line(InputStream in, ByteArrayOutputStream b) throws IOException {
        StringBuilder l = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            b.write(c);
            if (c == '\n') {
                return l.toString().replace("\r", "");
            }
            l.append((char) c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
