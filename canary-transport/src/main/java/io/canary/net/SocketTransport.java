package io.canary.net;

import io.canary.net.internal.BlockingEngine;
import io.canary.net.internal.Counters;
import io.canary.net.internal.Engine;
import io.canary.net.internal.NioEngine;
import io.canary.net.internal.NodeContext;
import io.canary.net.internal.Tls;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import io.canary.transport.TransportException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} over TCP: one listener per node (its control port) and one outbound
 * connection per peer.
 *
 * <p>Threads (all daemon), by {@link SocketTransportConfig#effectiveIoModel() I/O model}: with
 * {@link IoModel#NIO} (the default), one selector thread ({@code canary-nio-<id>}) for the listener
 * and every connection in and out, however many peers there are; it encodes, seals, writes, reads,
 * checks and decodes, dials with capped exponential backoff and jitter, and calls the receiver. With
 * {@link IoModel#BLOCKING}: one accept thread, one writer thread per peer
 * and one pooled reader thread per inbound connection. Both speak exactly the same bytes.
 *
 * <p>Every connection starts with a {@code Hello} each way; a node of another cluster, an unknown
 * node id or another protocol version is refused with one clear line in both nodes' logs (see
 * {@link #rejections()}). With a {@link SocketTransportConfig#clusterSecret() cluster secret} both
 * sides then authenticate each other (challenge-response) and every frame after that carries an
 * HMAC tag; a peer without the secret, with a wrong key or replaying a recorded handshake is refused
 * the same way and never reaches the receiver. A malformed, truncated, oversized, corrupt (CRC32C)
 * or forged (tag) frame closes that connection only. Inbound messages reach the receiver with the
 * node id the handshake established, authenticated when a secret or TLS is configured.
 * {@link #start} refuses a non-loopback bind with neither.
 *
 * <p>Threading: every method is safe from any thread. {@link #send} and the accessors never block;
 * {@link #start} blocks only to bind the port and load the TLS stores; {@link #close} waits at most
 * two seconds for the threads to end. The receiver is called from the transport's threads (the one
 * selector thread with NIO; one reader thread per inbound connection, so concurrently for different
 * peers, when blocking) and, for a message to this node itself, from the sender's thread.
 *
 * <p>Failure: a peer that cannot be reached is retried in the background forever, with backoff;
 * what is queued for it meanwhile is bounded and the excess dropped (see {@link #stats()}). A peer
 * that stops reading holds at most its queue and one batch of bytes, and its connection is closed
 * after {@link SocketTransportConfig#writeStallTimeout()} (NIO). Nothing a peer sends or fails to
 * read can make {@link #send} throw or block, or delay the other peers. A receiver that throws is
 * logged (rate limited) and the connection goes on.
 */
public final class SocketTransport implements Transport {
    private static final long CLOSE_WAIT_MILLIS = 2_000;

    private final SocketTransportConfig config;
    private final Counters counters = new Counters();
    private final Object lifecycle = new Object();
    private ControlPort controlPort;
    private volatile NodeContext ctx;
    private volatile Engine engine;
    private volatile String selfId;
    private boolean started;
    private boolean closed;

    /** A transport that binds {@code config.bind()} when started. */
    public SocketTransport(SocketTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * A transport that serves on an already bound control port (see {@link ControlPort}) and owns it
     * from now on; {@code config.bind()} is then not used.
     */
    public SocketTransport(SocketTransportConfig config, ControlPort controlPort) {
        this(config);
        this.controlPort = Objects.requireNonNull(controlPort, "controlPort");
    }

    /**
     * Binds the control port (unless given one), starts accepting connections and connecting to every
     * peer. Returns at once: peers that are down are connected to in the background.
     *
     * @throws TransportException if the port is in use or cannot be bound (one clear line), or if the
     *     transport was already started or closed
     */
    @Override
    public void start(String selfId, Receiver receiver) {
        Objects.requireNonNull(selfId, "selfId");
        Objects.requireNonNull(receiver, "receiver");
        synchronized (lifecycle) {
            if (closed) {
                throw new TransportException("this transport is closed; create a new one to start again");
            }
            if (started) {
                throw new TransportException("this transport is already started as " + this.selfId);
            }
            if (selfId.isBlank()) {
                throw new TransportException("node id must not be blank");
            }
            if (controlPort != null && controlPort.isClosed()) {
                throw new TransportException("control port " + controlPort.port()
                        + " was closed before the transport started; bind it again");
            }
            BindPolicy.check(config, selfId, controlPort != null ? controlPort.address().host() : config.bind().host());
            Tls tls = config.tls().map(Tls::load).orElse(null);
            ControlPort port = controlPort != null ? controlPort : ControlPort.bind(config.bind().host(), config.bind().port());
            controlPort = port;
            Logger log = LoggerFactory.getLogger(SocketTransport.class.getName() + "." + selfId);
            NodeContext context = new NodeContext(config, selfId, receiver, counters, log, tls);
            Map<String, HostPort> peers = new LinkedHashMap<>(config.peers());
            peers.remove(selfId);
            Random random = new Random(new SecureRandom().nextLong());
            IoModel model = config.effectiveIoModel();
            Engine e = model == IoModel.NIO ? new NioEngine(context, port.channel(), peers, random)
                    : new BlockingEngine(context, port.serverSocket(), peers, random);
            this.selfId = selfId;
            this.ctx = context;
            this.engine = e;
            started = true;
            log.info("{} listening on control port {} (cluster '{}', peers {}, {}, {} I/O)", selfId, port.address(),
                    config.clusterId(), peers.keySet(), security(tls != null, config.clusterSecret().isPresent()),
                    model == IoModel.NIO ? "one selector thread" : "blocking");
        }
    }

    /**
     * Queues {@code message} for {@code to} and returns at once; never throws. A message to this node
     * itself is handed to the receiver directly. Dropped (and counted in {@link #stats()}) when the
     * peer is unknown, its queue is full, or the transport is not running.
     */
    @Override
    public void send(String to, Message message) {
        try {
            NodeContext c = ctx;
            if (c == null || c.isClosed() || to == null || message == null) {
                counters.dropped.increment();
                return;
            }
            if (to.equals(selfId)) {
                c.deliver(to, message);
                return;
            }
            Engine e = engine;
            if (e == null || !e.offer(to, message)) {
                counters.dropped.increment();
                LoggerFactory.getLogger(SocketTransport.class).debug("{} has no address for node '{}': dropping {}", selfId, to,
                        message.getClass().getSimpleName());
            }
        } catch (RuntimeException e) {
            counters.dropped.increment();
        }
    }

    /**
     * Closes the control port, every connection and every thread, waiting up to two seconds for the
     * threads to end. The port is free for a new transport as soon as this returns. Idempotent;
     * never throws.
     */
    @Override
    public void close() {
        NodeContext c;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            c = ctx;
            if (c == null) {
                if (controlPort != null) {
                    controlPort.close();
                }
                return;
            }
            c.markClosed();
        }
        controlPort.close();
        engine.close(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS));
        // Again: a channel registered with a selector is only released once the selector let it go.
        controlPort.close();
        LoggerFactory.getLogger(SocketTransport.class.getName() + "." + selfId).info("{} closed control port {}", selfId,
                controlPort.port());
    }

    /** The bound control port (useful with port 0), or -1 before {@link #start}. Never blocks for long. */
    public int port() {
        synchronized (lifecycle) {
            return started ? controlPort.port() : -1;
        }
    }

    /** The configuration this transport runs with. */
    public SocketTransportConfig config() {
        return config;
    }

    /** Counters since start (sent, received, dropped, rejected handshakes, ...); each read on its own, never blocking. */
    public TransportStats stats() {
        return counters.snapshot();
    }

    /** The last refused handshakes (either side), oldest first, as logged: at most 32. */
    public List<String> rejections() {
        NodeContext c = ctx;
        return c == null ? List.of() : c.rejections();
    }

    /** Peers whose outbound connection is up and past its handshake, sorted. Never blocks. */
    public Set<String> connectedPeers() {
        Engine e = engine;
        return e == null ? Set.of() : new TreeSet<>(e.connectedPeers());
    }

    /** Messages waiting in {@code peer}'s bounded outbound queue (0 for an unknown peer or before start). Never blocks. */
    public int queued(String peer) {
        Engine e = engine;
        return e == null || peer == null ? 0 : e.queued(peer);
    }

    private static String security(boolean tls, boolean secret) {
        String transport = tls ? "mutual TLS 1.3" : "plain TCP";
        return secret ? transport + ", authenticated by the cluster secret" : transport + (tls ? "" : ", unauthenticated");
    }
}
