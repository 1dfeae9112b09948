package io.canary.launcher.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/** A local webhook receiver on 127.0.0.1 that records every POST; optionally it hangs instead of answering. */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as received: raw body, parsed body, and the headers a receiver checks. */
    record Delivery(byte[] raw, JsonNode body, String event, String signature, String deliveryId) {
        String type() {
            return body.get("event").asText();
        }
    }

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    private WebhookReceiver(int port, boolean hang) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-webhook-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/hook", exchange -> {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            if (hang) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            deliveries.add(new Delivery(raw, JSON.readTree(raw), exchange.getRequestHeaders().getFirst(WebhookDispatcher.EVENT_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookDispatcher.SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookDispatcher.DELIVERY_HEADER)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    static WebhookReceiver start() {
        return new WebhookReceiver(0, false);
    }

    /** A receiver on a given port (one that was down before). */
    static WebhookReceiver startOn(int port) {
        return new WebhookReceiver(port, false);
    }

    /** Reads every request, then never answers until closed. */
    static WebhookReceiver hanging() {
        return new WebhookReceiver(0, true);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    List<String> types() {
        return deliveries.stream().map(Delivery::type).toList();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
