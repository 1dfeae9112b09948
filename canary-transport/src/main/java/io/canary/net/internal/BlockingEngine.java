package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.transport.Message;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocking model: one accept thread, one writer thread per peer ({@link PeerLink}) and one pooled
 * reader thread per inbound connection ({@link InboundConnection}): 2(N-1) + 1 threads for N nodes.
 * Kept as an escape hatch ({@code -Dcanary.transport.io=blocking}) and to check that both models speak
 * the same bytes; mutual TLS runs on JSSE's blocking {@code SSLSocket} here.
 */
public final class BlockingEngine implements Engine {
    private final NodeContext ctx;
    private final Map<String, PeerLink> links;
    private final ThreadPoolExecutor connections;
    private final Thread listenerThread;

    public BlockingEngine(NodeContext ctx, ServerSocket server, Map<String, HostPort> peers, Random random) {
        this.ctx = ctx;
        String selfId = ctx.selfId;
        connections = new ThreadPoolExecutor(0, 2 * peers.size() + 16, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("canary-in-" + selfId + "-"));
        Map<String, PeerLink> newLinks = new LinkedHashMap<>();
        peers.forEach((id, address) -> newLinks.put(id, new PeerLink(ctx, id, address, new Random(random.nextLong()))));
        links = Map.copyOf(newLinks);
        listenerThread = daemonThreads("canary-listen-" + selfId).newThread(new Listener(ctx, server, connections));
        listenerThread.start();
        newLinks.values().forEach(l -> l.start(daemonThreads("canary-send-" + selfId + "-to-" + l.peerId()).newThread(l)));
    }

    @Override
    public boolean offer(String peer, Message m) {
        PeerLink link = links.get(peer);
        if (link == null) {
            return false;
        }
        link.offer(m);
        return true;
    }

    @Override
    public Set<String> connectedPeers() {
        Set<String> up = new TreeSet<>();
        links.forEach((id, l) -> {
            if (l.isConnected()) {
                up.add(id);
            }
        });
        return up;
    }

    @Override
    public int queued(String peer) {
        PeerLink link = links.get(peer);
        return link == null ? 0 : link.queued();
    }

    @Override
    public void close(long deadlineNanos) {
        links.values().forEach(PeerLink::close);
        ctx.closeInbound();
        connections.shutdownNow();
        try {
            listenerThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            for (PeerLink l : links.values()) {
                l.join(TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
            }
            connections.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
