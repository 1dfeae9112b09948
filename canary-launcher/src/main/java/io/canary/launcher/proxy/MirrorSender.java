package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Traffic mirroring: copies a share of the requests routed to the baseline to the mirror target
 * (the configured version, else the active rollout's canary), fire-and-forget, on a client of its
 * own (its own connections, so a slow target cannot hold the real traffic's pools). The copy's
 * answer is read and discarded; its latency (send to last byte) and outcome go to
 * {@link ProxyNode#recordMirror}, never to the version's real health.
 *
 * <p>Which requests are copied and the bound on copies: {@link MirrorGate}. Bounded: at most {@link MirrorSpec#maxInFlight()} copies outstanding (a copy due beyond that
 * is dropped, never queued), bodies buffered up to {@link MirrorSpec#maxBodyBytes()} (a larger one
 * is not copied), each copy bounded by the upstream timeout. The real request never waits for its
 * copy: a body-less copy is sent when the real request is routed, one with a body once the real
 * request's body has been read (the copy is fed as the body streams through, see {@link BodyTap}).
 *
 * <p>Mirroring pauses during fail-safe and never copies pinned requests. Copies carry
 * {@code X-Canary-Mirror: 1} so that the target can tell them apart.
 *
 * <p>Threading: any Jetty thread; lock-free but for the semaphore's try-acquire.
 */
final class MirrorSender {
    static final String MIRROR_HEADER = "X-Canary-Mirror";
    private static final HttpField MIRROR_FIELD = new HttpField(MIRROR_HEADER, "1");

    private final HttpClient client;
    private final MirrorGate gate;
    private final long timeoutMillis;

    MirrorSender(HttpClient client, MirrorGate gate, long timeoutMillis) {
        this.client = client;
        this.gate = gate;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Decides whether to copy this request; sends a body-less copy at once.
     *
     * @return the copy to feed with the body as it streams, or null (not copied, or already sent)
     */
    Copy begin(Request request, Route route, boolean hasBody) {
        long length = request.getLength();
        Endpoint endpoint = gate.admit(route, hasBody, length);
        if (endpoint == null) {
            return null;
        }
        // The request's headers are copied now: Jetty may recycle them once the real exchange completes.
        Copy copy = new Copy(endpoint, request.getMethod(), pathAndQuery(request), HttpFields.build(request.getHeaders()),
                hasBody ? (int) Math.max(0, Math.min(length, gate.maxBodyBytes())) : 0);
        if (!hasBody) {
            copy.complete();
            return null;
        }
        return copy;
    }

    static String pathAndQuery(Request request) {
        String path = request.getHttpURI().getPath();
        String query = request.getHttpURI().getQuery();
        return (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    /** One copy: its target, the request's line and headers, and the body as it arrives. */
    final class Copy {
        private final Endpoint endpoint;
        private final String method;
        private final String pathAndQuery;
        private final HttpFields.Mutable headers;
        private final ByteArrayOutputStream body;
        private final AtomicBoolean done = new AtomicBoolean();

        private Copy(Endpoint endpoint, String method, String pathAndQuery, HttpFields.Mutable headers, int expected) {
            this.endpoint = endpoint;
            this.method = method;
            this.pathAndQuery = pathAndQuery;
            this.headers = headers;
            this.body = new ByteArrayOutputStream(Math.max(expected, 32));
        }

        /** Appends a chunk of the real body (not consuming it); past the limit the copy is dropped. */
        void append(ByteBuffer chunk) {
            if (done.get()) {
                return;
            }
            if (body.size() + chunk.remaining() > gate.maxBodyBytes()) {
                if (done.compareAndSet(false, true)) {
                    release(MirrorOutcome.SKIPPED);
                }
                return;
            }
            ByteBuffer b = chunk.asReadOnlyBuffer();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            body.write(bytes, 0, bytes.length);
        }

        /** The real body is complete: send the copy. */
        void complete() {
            if (done.compareAndSet(false, true)) {
                send();
            }
        }

        /** The real request failed before its body was read: no copy. */
        void abandon() {
            if (done.compareAndSet(false, true)) {
                release(MirrorOutcome.SKIPPED);
            }
        }

        private void release(MirrorOutcome outcome) {
            gate.release(endpoint.version(), outcome);
        }

        private void send() {
            String version = endpoint.version();
            long start = System.nanoTime();
            org.eclipse.jetty.client.Request copy;
            try {
                copy = client.newRequest(endpoint.host(), endpoint.port())
                        .scheme(endpoint.scheme())
                        .method(method)
                        .path(endpoint.prefix() + pathAndQuery)
                        .idleTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .headers(h -> {
                            for (HttpField f : headers) {
                                if (!HopByHop.isHopByHop(f) && f.getHeader() != HttpHeader.CONTENT_LENGTH) {
                                    h.add(f);
                                }
                            }
                            h.put(MIRROR_FIELD);
                        });
                if (body.size() > 0) {
                    copy.body(new BytesRequestContent(headers.get(HttpHeader.CONTENT_TYPE), body.toByteArray()));
                }
            } catch (RuntimeException e) {
                gate.record(version, System.nanoTime() - start, false);
                release(MirrorOutcome.FAILED);
                return;
            }
            gate.sent(version);
            copy.send(result -> {
                boolean ok = result.isSucceeded() && result.getResponse().getStatus() < 500;
                gate.record(version, System.nanoTime() - start, ok);
                release(ok ? MirrorOutcome.OK : MirrorOutcome.FAILED);
            });
        }
    }
}
