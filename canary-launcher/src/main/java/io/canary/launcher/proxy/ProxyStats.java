package io.canary.launcher.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's own counters, beside the versions' health: what health does not count on purpose
 * (pinned requests, client faults) and what mirroring did. Thread-safe, lock-free on the request path.
 */
public final class ProxyStats {

    /** Requests refused or cut because of the client, never counted against a version. */
    public enum ClientFault {
        /** Request line and headers over the limit: 431. */
        HEADERS_TOO_LARGE,
        /** Body over the limit: 413. */
        BODY_TOO_LARGE,
        /** The client went silent mid-request: 408, or the connection closed. */
        CLIENT_TIMEOUT,
        /** The client closed the connection before the answer was written, or sent a malformed request. */
        CLIENT_ABORTED
    }

    /** What became of the copies mirroring wanted to send. */
    public enum MirrorOutcome {
        /** Sent and answered below 500. */
        OK,
        /** Sent and failed: 5xx, refused, timed out or reset. */
        FAILED,
        /** Not sent: the bound of copies in flight was reached. */
        DROPPED,
        /** Not sent: the body was over the mirror's limit, or the real request failed before its body was read. */
        SKIPPED
    }

    private final Map<String, LongAdder[]> pinned = new ConcurrentHashMap<>();
    private final EnumMap<ClientFault, LongAdder> faults = new EnumMap<>(ClientFault.class);
    private final EnumMap<MirrorOutcome, LongAdder> mirrors = new EnumMap<>(MirrorOutcome.class);
    private final LongAdder proxied = new LongAdder();

    public ProxyStats() {
        for (ClientFault f : ClientFault.values()) {
            faults.put(f, new LongAdder());
        }
        for (MirrorOutcome m : MirrorOutcome.values()) {
            mirrors.put(m, new LongAdder());
        }
    }

    void proxied() {
        proxied.increment();
    }

    void pinned(String version, boolean ok) {
        LongAdder[] c = pinned.computeIfAbsent(version, v -> new LongAdder[] {new LongAdder(), new LongAdder()});
        c[0].increment();
        if (!ok) {
            c[1].increment();
        }
    }

    void clientFault(ClientFault fault) {
        faults.get(fault).increment();
    }

    void mirror(MirrorOutcome outcome) {
        mirrors.get(outcome).increment();
    }

    /** Requests that reached the proxy's handler (routed or refused). */
    public long proxiedRequests() {
        return proxied.sum();
    }

    /** Pinned requests per version: {requests, errors}. Kept out of the versions' health. */
    public Map<String, long[]> pinnedRequests() {
        Map<String, long[]> m = new TreeMap<>();
        pinned.forEach((v, c) -> m.put(v, new long[] {c[0].sum(), c[1].sum()}));
        return m;
    }

    public long clientFaults(ClientFault fault) {
        return faults.get(fault).sum();
    }

    public long mirrors(MirrorOutcome outcome) {
        return mirrors.get(outcome).sum();
    }

}
