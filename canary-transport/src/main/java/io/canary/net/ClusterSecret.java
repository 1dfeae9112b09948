package io.canary.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What authenticates a node's control connections: either the <em>cluster secret</em> (32 random
 * bytes, the same file on every member), or a <em>node key</em> derived from it for one member.
 *
 * <p>Two members {@code x} and {@code y} authenticate each other with their pair key
 * {@code HMAC-SHA256(clusterSecret, "canary pair key v1" | min(x,y) | max(x,y))}. A node holding the
 * cluster secret derives every pair key, so it can speak for any member: with one {@code cluster.key}
 * on every node, the secret keeps out everyone who does not hold it. A node key holds only its own
 * member's pair keys ({@link #forNode}), so a member started with one cannot pose as another member
 * to a third: it lacks their pair key. Both kinds interoperate.
 *
 * <p>Handled as a secret: {@link #toString()} is redacted, the material leaves only through
 * {@link #encode()} (the file's text) and {@link #pairKey} (a copy, for the transport), and it has no
 * value-based {@code equals}. Immutable and thread-safe.
 */
public final class ClusterSecret {
    /** Bytes of a generated cluster secret. */
    public static final int SECRET_BYTES = 32;
    /** Shortest cluster secret accepted: 128 bits. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String CLUSTER_HEADER = "canary-cluster-secret-v1";
    private static final String NODE_HEADER = "canary-node-key-v1";
    private static final String PEER = "peer";
    private static final byte[] PAIR_LABEL = "canary pair key v1".getBytes(StandardCharsets.UTF_8);

    /** The cluster secret, or null for a node key. */
    private final byte[] secret;
    /** The node a node key speaks for, or null for the cluster secret. */
    private final String owner;
    /** A node key's pair keys by peer id; empty for the cluster secret. */
    private final Map<String, byte[]> pairKeys;

    private ClusterSecret(byte[] secret, String owner, Map<String, byte[]> pairKeys) {
        this.secret = secret;
        this.owner = owner;
        this.pairKeys = pairKeys;
    }

    /** A fresh cluster secret of {@link #SECRET_BYTES} from a {@link SecureRandom}. */
    public static ClusterSecret generate() {
        byte[] b = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(b);
        return new ClusterSecret(b, null, Map.of());
    }

    /**
     * Reads a secret from the text of a {@code cluster.key} or node key file, or a bare base64
     * cluster secret (e.g. from an environment variable). Blank lines and {@code #} comments are ignored.
     *
     * @throws IllegalArgumentException saying what is wrong, never quoting the material
     */
    public static ClusterSecret parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] lines = text.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toArray(String[]::new);
        if (lines.length == 0) {
            throw new IllegalArgumentException("the cluster secret is empty (make one with: canary secret generate > cluster.key)");
        }
        String[] first = lines[0].split("\\s+");
        if (first[0].equals(CLUSTER_HEADER)) {
            if (first.length != 2 || lines.length != 1) {
                throw new IllegalArgumentException("a cluster secret is one line: " + CLUSTER_HEADER + " <base64>");
            }
            return ofBytes(decode(first[1], "the cluster secret"));
        }
        if (first[0].equals(NODE_HEADER)) {
            return parseNodeKey(first, lines);
        }
        if (lines.length == 1 && first.length == 1) {
            return ofBytes(decode(first[0], "the cluster secret"));
        }
        throw new IllegalArgumentException("not a Canary secret: it must start with '" + CLUSTER_HEADER + "' or '"
                + NODE_HEADER + "' (make one with: canary secret generate > cluster.key)");
    }

    /**
     * Reads a secret file (see {@link #parse}).
     *
     * @throws IllegalArgumentException naming the file if it is missing, unreadable or not a secret
     */
    public static ClusterSecret read(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cluster secret file " + file + " does not exist"
                    + " (make one with: canary secret generate > " + file + ")");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read cluster secret file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster secret file " + file + ": " + e.getMessage());
        }
    }

    /**
     * A warning if others than the file's owner may read {@code file} (group or world read bits on
     * a POSIX file system); empty if not, or if the file system has no POSIX permissions.
     */
    public static Optional<String> permissionWarning(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of("cluster secret file " + file + " is readable by " + (perms.contains(PosixFilePermission.OTHERS_READ)
                        ? "every user" : "its group") + " (" + PosixFilePermissions.toString(perms)
                        + "): restrict it with chmod 600 " + file);
            }
            return Optional.empty();
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
    }

    private static ClusterSecret parseNodeKey(String[] first, String[] lines) {
        if (first.length != 2) {
            throw new IllegalArgumentException("a node key starts with: " + NODE_HEADER + " <node-id>");
        }
        Map<String, byte[]> keys = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\\s+");
            if (f.length != 3 || !f[0].equals(PEER)) {
                throw new IllegalArgumentException("node key line " + (i + 1) + " must be: " + PEER + " <node-id> <base64>");
            }
            byte[] k = decode(f[2], "the pair key of " + f[1]);
            if (k.length != SECRET_BYTES || keys.put(f[1], k) != null) {
                throw new IllegalArgumentException("node key line " + (i + 1) + ": the pair key of " + f[1]
                        + " must be " + SECRET_BYTES + " bytes and appear once");
            }
        }
        if (keys.containsKey(first[1])) {
            throw new IllegalArgumentException("the node key of " + first[1] + " has a pair key with itself");
        }
        return new ClusterSecret(null, first[1], Collections.unmodifiableMap(keys));
    }

    private static ClusterSecret ofBytes(byte[] b) {
        if (b.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the cluster secret is " + b.length + " bytes; it needs at least "
                    + MIN_SECRET_BYTES + " (make one with: canary secret generate > cluster.key)");
        }
        return new ClusterSecret(b, null, Map.of());
    }

    private static byte[] decode(String base64, String what) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
    }

    /**
     * The node key of {@code nodeId} for these peers: only the pair keys {@code nodeId} needs.
     *
     * @throws IllegalStateException if this is a node key itself (only the cluster secret derives)
     */
    public ClusterSecret forNode(String nodeId, Collection<String> peers) {
        if (secret == null) {
            throw new IllegalStateException("only the cluster secret derives node keys, not the node key of " + owner);
        }
        Map<String, byte[]> keys = new TreeMap<>();
        for (String p : peers) {
            if (!p.equals(nodeId)) {
                keys.put(p, derive(nodeId, p));
            }
        }
        return new ClusterSecret(null, nodeId, Collections.unmodifiableMap(keys));
    }

    /** The node this node key speaks for; empty for the cluster secret (which speaks for any member). */
    public Optional<String> owner() {
        return Optional.ofNullable(owner);
    }

    /**
     * A copy of the key {@code self} and {@code peer} share, or empty if this node key has none for
     * that pair (it belongs to another node, or {@code peer} joined after it was derived). For the
     * transport only: the caller should not keep it longer than it needs.
     */
    public Optional<byte[]> pairKey(String self, String peer) {
        if (secret != null) {
            return Optional.of(derive(self, peer));
        }
        if (!owner.equals(self)) {
            return Optional.empty();
        }
        byte[] k = pairKeys.get(peer);
        return k == null ? Optional.empty() : Optional.of(k.clone());
    }

    private byte[] derive(String x, String y) {
        String lo = x.compareTo(y) <= 0 ? x : y;
        String hi = lo.equals(x) ? y : x;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(PAIR_LABEL);
            lengthPrefixed(mac, lo);
            lengthPrefixed(mac, hi);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    private static void lengthPrefixed(Mac mac, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        mac.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
        mac.update(b);
    }

    /** The text of the file that holds this secret, comments included. The only way the material leaves. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder();
        if (secret != null) {
            return "# Canary cluster secret. Whoever holds it can join the control plane as any member:\n"
                    + "# copy it only to the members (chmod 600), never into logs or version control.\n"
                    + CLUSTER_HEADER + " " + b64.encodeToString(secret) + "\n";
        }
        StringBuilder sb = new StringBuilder("# Canary node key of " + owner + ", derived from the cluster secret: it speaks for "
                + owner + " only. Keep it private (chmod 600).\n" + NODE_HEADER + " " + owner + "\n");
        pairKeys.forEach((peer, k) -> sb.append(PEER).append(' ').append(peer).append(' ').append(b64.encodeToString(k)).append('\n'));
        return sb.toString();
    }

    /** Redacted: says what kind of secret this is, never its bytes. */
    @Override
    public String toString() {
        return secret != null ? "ClusterSecret[cluster secret, redacted]"
                : "ClusterSecret[node key of " + owner + " for " + pairKeys.keySet() + ", redacted]";
    }
}
