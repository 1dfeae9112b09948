package io.canary.net.codec;

import java.util.Map;
import java.util.Objects;

/**
 * The second frame of a connection, each way, right after the {@link Hello}: how the sender
 * authenticates and a fresh random nonce for the challenge-response (see the transport's
 * handshake). Its layout is fixed: mode code (1 byte), then {@link #NONCE_BYTES} of nonce.
 *
 * @param mode how the sender authenticates
 * @param nonce {@link #NONCE_BYTES} fresh random bytes (sent even in mode NONE, where they are unused)
 */
public record AuthOffer(Mode mode, byte[] nonce) {
    /** Nonce length: 256 bits, so a nonce never repeats. */
    public static final int NONCE_BYTES = 32;
    /** Proof length: an HMAC-SHA256. */
    public static final int PROOF_BYTES = 32;

    /** How a node authenticates its control connections. */
    public enum Mode {
        /** No secret: only allowed on loopback, or under mutual TLS. */
        NONE,
        /** Challenge-response with the pair key derived from the cluster secret, then a tag on every frame. */
        SECRET
    }

    /** Wire codes of {@link Mode}. */
    public static final WireEnum<Mode> MODE = WireEnum.of(Mode.class, "auth mode", Map.of(Mode.NONE, 1, Mode.SECRET, 2));

    public AuthOffer {
        Objects.requireNonNull(mode, "mode");
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes, got " + nonce.length);
        }
        nonce = nonce.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** The payload of an auth frame. */
    public byte[] encode() {
        WireWriter w = new WireWriter(1 + NONCE_BYTES);
        MODE.write(w, mode);
        return w.writeBytes(nonce).toByteArray();
    }

    /** Decodes an auth frame's payload. */
    public static AuthOffer decode(byte[] payload, int offset, int length) {
        if (length != 1 + NONCE_BYTES) {
            throw new CodecException("auth frame must be " + (1 + NONCE_BYTES) + " bytes, got " + length);
        }
        WireReader r = new WireReader(payload, offset, length, 256);
        Mode mode = MODE.read(r);
        byte[] nonce = new byte[NONCE_BYTES];
        System.arraycopy(payload, offset + 1, nonce, 0, NONCE_BYTES);
        return new AuthOffer(mode, nonce);
    }

    /** Decodes a proof frame's payload: exactly {@link #PROOF_BYTES}. */
    public static byte[] decodeProof(byte[] payload, int offset, int length) {
        if (length != PROOF_BYTES) {
            throw new CodecException("proof frame must be " + PROOF_BYTES + " bytes, got " + length);
        }
        byte[] proof = new byte[PROOF_BYTES];
        System.arraycopy(payload, offset, proof, 0, PROOF_BYTES);
        return proof;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthOffer a && a.mode == mode && java.util.Arrays.equals(a.nonce, nonce);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + java.util.Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "AuthOffer[" + mode + "]";
    }
}
