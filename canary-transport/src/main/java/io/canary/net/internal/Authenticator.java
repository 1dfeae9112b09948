package io.canary.net.internal;

import io.canary.net.ClusterSecret;
import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.WireWriter;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The challenge-response of a control connection, in both directions, with the pair key of the two
 * members (see {@link ClusterSecret}). After the Hellos, each side sends a fresh 32-byte nonce; the
 * connector then proves it holds the pair key, and only then does the acceptor prove it too:
 *
 * <pre>
 *   proof(role) = HMAC-SHA256(pairKey, "canary/2/" role | clusterId | version | connector | acceptor | nonceC | nonceA)
 *   session     = HMAC-SHA256(pairKey, "canary/2/session/connector-to-acceptor" | ...same...)
 * </pre>
 *
 * Both identities bind the proof to this pair (a member's id cannot be used with another member's
 * node key), both nonces make it fresh (a recorded handshake does not verify against a new nonce),
 * the role label keeps one side's proof from being reflected as the other's, and the cluster id and
 * version bind it to this cluster and protocol. Proofs are compared in constant time. The session
 * key then seals every frame the connector sends ({@link FrameSeal}). Thread-safe.
 */
public final class Authenticator {
    /** Which side of the connection a proof speaks for. */
    public enum Role {
        CONNECTOR("connector-proof"), ACCEPTOR("acceptor-proof");

        private final String label;

        Role(String label) {
            this.label = label;
        }
    }

    private static final String PREFIX = "canary/2/";
    private static final String SESSION = "session/connector-to-acceptor";

    private final ClusterSecret secret;
    private final String clusterId;
    private final String selfId;
    private final int version;
    private final SecureRandom random = new SecureRandom();

    /** @param secret the node's secret, or null: no authentication (mode NONE) */
    public Authenticator(ClusterSecret secret, String clusterId, String selfId, int version) {
        this.secret = secret;
        this.clusterId = clusterId;
        this.selfId = selfId;
        this.version = version;
    }

    public AuthOffer.Mode mode() {
        return secret != null ? AuthOffer.Mode.SECRET : AuthOffer.Mode.NONE;
    }

    /** Our auth frame for a new connection: our mode and a fresh nonce. */
    public AuthOffer offer() {
        byte[] nonce = new byte[AuthOffer.NONCE_BYTES];
        random.nextBytes(nonce);
        return new AuthOffer(mode(), nonce);
    }

    /** What is wrong with {@code peer} authenticating in {@code theirs}, or null if our modes agree. */
    String problemWithMode(String peer, AuthOffer.Mode theirs) {
        if (theirs == mode()) {
            return null;
        }
        if (theirs == AuthOffer.Mode.NONE) {
            return Printable.of(peer) + " has no cluster secret and " + selfId
                    + " requires one (give every member the same cluster secret)";
        }
        return Printable.of(peer) + " authenticates with a cluster secret and " + selfId
                + " has none (give every member the same cluster secret)";
    }

    /** The key we share with {@code peer}, or empty if our node key has none for it. */
    Optional<byte[]> key(String peer) {
        return secret.pairKey(selfId, peer);
    }

    /** Why we hold no key for {@code peer}. */
    String noKey(String peer) {
        return selfId + "'s node key has no pair key for " + Printable.of(peer)
                + " (derive " + selfId + "'s node key again from the cluster secret, with " + Printable.of(peer) + " among its peers)";
    }

    /** The line for a proof that did not verify. */
    static String badProof(String prover, String verifier) {
        return "authentication failed: " + Printable.of(prover) + "'s proof does not match " + verifier + "'s key for "
                + Printable.of(prover) + " (a wrong cluster secret, another member's node key, or a replayed handshake)";
    }

    /** The proof {@code role} sends on the connection from {@code connector} to {@code acceptor}. */
    public byte[] proof(byte[] key, Role role, String connector, String acceptor, byte[] nonceC, byte[] nonceA) {
        return hmac(key, transcript(role.label, connector, acceptor, nonceC, nonceA));
    }

    /** True if {@code proof} is {@code role}'s; compared in constant time. */
    boolean verify(byte[] key, Role role, String connector, String acceptor, byte[] nonceC, byte[] nonceA, byte[] proof) {
        return MessageDigest.isEqual(proof(key, role, connector, acceptor, nonceC, nonceA), proof);
    }

    /** The seal of the frames {@code connector} sends to {@code acceptor} on this connection. */
    public FrameSeal session(byte[] key, String connector, String acceptor, byte[] nonceC, byte[] nonceA) {
        return new FrameSeal(hmac(key, transcript(SESSION, connector, acceptor, nonceC, nonceA)));
    }

    private byte[] transcript(String label, String connector, String acceptor, byte[] nonceC, byte[] nonceA) {
        return new WireWriter(256).writeString(PREFIX + label).writeString(clusterId).writeInt(version)
                .writeString(connector).writeString(acceptor).writeBytes(nonceC).writeBytes(nonceA).toByteArray();
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Authenticator[" + selfId + ", " + mode() + "]";
    }
}
