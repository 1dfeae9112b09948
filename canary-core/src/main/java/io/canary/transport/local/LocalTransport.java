package io.canary.transport.local;

import io.canary.transport.Message;
import io.canary.transport.Transport;
import io.canary.transport.TransportException;
import java.util.Objects;

/**
 * One node's endpoint on a {@link LocalNetwork}. Obtained from {@link LocalNetwork#transport(String)}.
 *
 * <p>Threading: safe from any thread; {@link #send} never blocks and never throws; the receiver is
 * called on the network's scheduler thread.
 */
final class LocalTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(LocalTransport.class.getName());

    private final LocalNetwork network;
    private final String nodeId;
    private volatile Receiver receiver;
    private volatile boolean closed;

    LocalTransport(LocalNetwork network, String nodeId) {
        this.network = network;
        this.nodeId = nodeId;
    }

    String nodeId() {
        return nodeId;
    }

    /**
     * Joins the network as {@code selfId}, replacing any earlier transport of that id (a restart).
     *
     * @throws TransportException if {@code selfId} is not the id this transport was made for, or if it
     *     was already started or closed
     */
    @Override
    public synchronized void start(String selfId, Receiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        if (!nodeId.equals(selfId)) {
            throw new TransportException("this local transport was made for " + nodeId + ", not for " + selfId);
        }
        if (this.receiver != null || closed) {
            throw new TransportException("the local transport of " + nodeId + " was already started; get a new one to restart");
        }
        this.receiver = receiver;
        network.register(this);
    }

    @Override
    public void send(String to, Message message) {
        if (to == null || message == null || !isRunning()) {
            return;
        }
        try {
            network.send(nodeId, to, message);
        } catch (RuntimeException e) {
            // The contract: send never throws. A failing scheduler loses the message, as a network would.
            LOG.log(System.Logger.Level.WARNING, "local network could not send from " + nodeId + " to " + to, e);
        }
    }

    boolean isRunning() {
        return receiver != null && !closed && network.isCurrent(this);
    }

    void deliver(String from, Message message) {
        Receiver r = receiver;
        if (r == null || closed) {
            return;
        }
        try {
            r.receive(from, message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "receiver of " + nodeId + " threw on a message from " + from, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        network.unregister(this);
    }

    @Override
    public String toString() {
        return "LocalTransport[" + nodeId + (isRunning() ? "" : ", not running") + "]";
    }
}
