package io.canary.net;

import io.canary.net.codec.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A man in the middle on 127.0.0.1: relays each connection to {@code target}, records what the
 * connector sent, and may alter one frame the connector sends on the first connection (it reads
 * the connector's side frame by frame: the first {@code handshakeFrames} carry no tag, the rest do).
 */
final class TcpRelay implements AutoCloseable {
    /** Alters a whole frame (header to checksum) in place; the relay then sends it on. */
    interface Tamper {
        void alter(byte[] frame);
    }

    private final ServerSocket server;
    private final HostPort target;
    private final int handshakeFrames;
    private final int tamperedFrame;
    private final Tamper tamper;
    private final List<ByteArrayOutputStream> recorded = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger tampered = new AtomicInteger();

    /**
     * @param handshakeFrames frames the connector sends before its frames carry a tag (3 with a secret)
     * @param tamperedFrame index of the connector's frame to alter on the first connection; -1: none
     */
    TcpRelay(HostPort target, int handshakeFrames, int tamperedFrame, Tamper tamper) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getByName(Loopback.HOST));
        this.target = target;
        this.handshakeFrames = handshakeFrames;
        this.tamperedFrame = tamperedFrame;
        this.tamper = tamper;
        Thread t = new Thread(this::acceptLoop, "relay-accept");
        t.setDaemon(true);
        t.start();
    }

    HostPort address() {
        return new HostPort(Loopback.HOST, server.getLocalPort());
    }

    /** What the connector sent on connection {@code n} (0-based), so far. */
    byte[] recorded(int n) {
        return recorded.get(n).toByteArray();
    }

    int connections() {
        return recorded.size();
    }

    int tampered() {
        return tampered.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(target.host(), target.port());
                sockets.add(in);
                sockets.add(out);
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                int index = recorded.size();
                recorded.add(record);
                daemon(() -> forwardFrames(in.getInputStream(), out.getOutputStream(), record, index == 0), in, out);
                daemon(() -> copy(out.getInputStream(), in.getOutputStream()), in, out);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void forwardFrames(InputStream from, OutputStream to, ByteArrayOutputStream record, boolean mayTamper)
            throws IOException {
        DataInputStream in = new DataInputStream(from);
        for (int i = 0; ; i++) {
            byte[] header = new byte[WireFormat.HEADER_BYTES];
            in.readFully(header);
            int length = ((header[7] & 0xFF) << 24) | ((header[8] & 0xFF) << 16) | ((header[9] & 0xFF) << 8) | (header[10] & 0xFF);
            int trailers = (i >= handshakeFrames ? WireFormat.TAG_BYTES : 0) + WireFormat.CHECKSUM_BYTES;
            byte[] frame = new byte[header.length + length + trailers];
            System.arraycopy(header, 0, frame, 0, header.length);
            in.readFully(frame, header.length, length + trailers);
            synchronized (record) {
                record.write(frame);
            }
            if (mayTamper && i == tamperedFrame) {
                tamper.alter(frame);
                tampered.incrementAndGet();
            }
            to.write(frame);
            to.flush();
        }
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
        from.transferTo(to);
    }

    private interface Pump {
        void run() throws IOException;
    }

    private static void daemon(Pump p, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                p.run();
            } catch (EOFException ignored) {
                // the connector closed
            } catch (IOException ignored) {
                // either side closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Recomputes the checksum of a frame after it was altered: a careful attacker does. */
    static void reseal(byte[] frame) {
        int body = frame.length - WireFormat.CHECKSUM_BYTES;
        int crc = WireFormat.checksum(frame, 0, body);
        frame[body] = (byte) (crc >>> 24);
        frame[body + 1] = (byte) (crc >>> 16);
        frame[body + 2] = (byte) (crc >>> 8);
        frame[body + 3] = (byte) crc;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(TcpRelay::closeQuietly);
    }
}
