package io.canary.launcher.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides who may call a mutating endpoint. Without an admin token: loopback callers only (403 for
 * anyone else). With a token: {@code Authorization: Bearer <token>} from anywhere, loopback
 * included (401 when missing or wrong), compared in constant time.
 */
final class AdminGuard {
    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> token;
    private final Predicate<String> isLoopback;

    AdminGuard(Optional<String> token, Predicate<String> isLoopback) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.isLoopback = Objects.requireNonNull(isLoopback, "isLoopback");
    }

    /**
     * @param remoteAddress the caller's address as the server saw it (never a forwarded header)
     * @param authorization the {@code Authorization} header, or null
     * @throws ApiException 401 or 403 saying what is missing
     */
    void check(String remoteAddress, String authorization) {
        if (token.isEmpty()) {
            if (!isLoopback.test(remoteAddress)) {
                throw new ApiException(403, "changes are accepted from loopback callers only; "
                        + "configure an admin token (CANARY_ADMIN_TOKEN or --admin-token-file) to allow remote callers");
            }
            return;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new ApiException(401, "this node requires 'Authorization: Bearer <admin token>' for changes");
        }
        byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(presented, token.get())) {
            throw new ApiException(401, "the admin token is wrong");
        }
    }

    /** True for 127.0.0.0/8 and ::1 (also IPv4-mapped); false for anything else or unparsable. */
    static boolean isLoopbackAddress(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        String a = address.trim();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (!looksLikeLiteral(a)) {
            return false; // never resolve names: the check must not depend on DNS
        }
        try {
            return InetAddress.getByName(a).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean looksLikeLiteral(String a) {
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            boolean ok = Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '%';
            if (!ok) {
                return false;
            }
        }
        return !a.isEmpty();
    }
}
