package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself before a request reaches the proxy (headers over the limit: 431;
 * a malformed request: 400; a client silent mid-headers: 408), in the proxy's JSON shape and
 * counted as client faults.
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ProxyStats stats;
    private final String nodeId;

    JsonErrorHandler(ProxyStats stats, String nodeId) {
        this.stats = stats;
        this.nodeId = nodeId;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        stats.clientFault(switch (code) {
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> ClientFault.HEADERS_TOO_LARGE;
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> ClientFault.BODY_TOO_LARGE;
            case HttpStatus.REQUEST_TIMEOUT_408 -> ClientFault.CLIENT_TIMEOUT;
            default -> ClientFault.CLIENT_ABORTED;
        }, ProxyStats.UNROUTED);
        String text = code == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431
                ? "request line and headers exceed the proxy's limit (" + message + ")"
                : message;
        ProxyErrors.write(response, callback, code, text, null, nodeId);
    }
}
