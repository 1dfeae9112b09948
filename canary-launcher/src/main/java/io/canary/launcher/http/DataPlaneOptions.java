package io.canary.launcher.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How a data plane listens and whom it lets change state.
 *
 * @param host the address to bind ({@code 0.0.0.0}: every interface)
 * @param port the port to bind (0: any free port)
 * @param maxBodyBytes larger request bodies get 413
 * @param adminToken if present, mutating endpoints require {@code Authorization: Bearer <token>} from
 *     any caller; if empty, they accept loopback callers only
 * @param isLoopback decides whether a remote address (the socket's, never a forwarded header) is
 *     local; replaceable so that tests can play a remote caller from 127.0.0.1
 * @param answerDeadline a change that has no outcome after this long gets 504 (the node's own
 *     request timeout normally answers first)
 */
public record DataPlaneOptions(String host, int port, int maxBodyBytes, Optional<String> adminToken,
                               Predicate<String> isLoopback, Duration answerDeadline) {
    public DataPlaneOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(answerDeadline, "answerDeadline");
        Objects.requireNonNull(adminToken, "adminToken");
        Objects.requireNonNull(isLoopback, "isLoopback");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("data port must be in [0,65535], got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
    }

    /** Options with the real loopback check. */
    public static DataPlaneOptions of(String host, int port, int maxBodyBytes, Optional<String> adminToken,
                                      Duration answerDeadline) {
        return new DataPlaneOptions(host, port, maxBodyBytes, adminToken, AdminGuard::isLoopbackAddress, answerDeadline);
    }

    /** A copy with another loopback check (tests). */
    public DataPlaneOptions withLoopbackCheck(Predicate<String> check) {
        return new DataPlaneOptions(host, port, maxBodyBytes, adminToken, check, answerDeadline);
    }
}
