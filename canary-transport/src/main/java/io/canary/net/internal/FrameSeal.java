package io.canary.net.internal;

import io.canary.net.codec.ForgedFrameException;
import io.canary.net.codec.WireFormat;
import io.canary.net.codec.WireWriter;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The integrity of one direction of an authenticated connection: every frame after the handshake
 * carries {@code HMAC-SHA256(sessionKey, sequence | header | payload)}, where the sequence number
 * counts the frames of this direction from 0 and is never sent. A frame altered in flight, one
 * replayed from this or another connection, a dropped or reordered frame, all fail the tag of the
 * frame where it shows. The session key is fresh per connection (it is derived from both nonces),
 * so nothing recorded elsewhere verifies here.
 *
 * <p>Not thread-safe: one sealing writer, or one verifying reader, per instance.
 */
public final class FrameSeal {
    private final Mac mac;
    private long sequence;

    /** @param sessionKey this direction's session key (see {@link Authenticator#session}) */
    public FrameSeal(byte[] sessionKey) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    /** Appends the tag and the checksum to {@code unsealed} (a header and its payload) and returns the frame. */
    public byte[] seal(byte[] unsealed) {
        // The tag covers the header and payload as one run of bytes; verify() feeds the same bytes in two parts.
        byte[] tag = tag(unsealed, 0, unsealed.length, unsealed, 0, 0);
        WireWriter w = new WireWriter(unsealed.length + WireFormat.TAG_BYTES + WireFormat.CHECKSUM_BYTES);
        return w.writeBytes(unsealed).writeBytes(tag).writeChecksum().toByteArray();
    }

    /**
     * Checks the tag of the next frame.
     *
     * @throws ForgedFrameException if it does not match
     */
    void verify(byte[] header, byte[] payload, byte[] tag) {
        long n = sequence;
        byte[] expected = tag(header, 0, header.length, payload, 0, payload.length);
        if (!MessageDigest.isEqual(expected, tag)) {
            throw new ForgedFrameException("frame " + n + " failed its integrity check (altered in flight, replayed,"
                    + " reordered or injected)");
        }
    }

    private byte[] tag(byte[] header, int hOff, int hLen, byte[] payload, int pOff, int pLen) {
        long n = sequence++;
        for (int shift = 56; shift >= 0; shift -= 8) {
            mac.update((byte) (n >>> shift));
        }
        mac.update(header, hOff, hLen);
        mac.update(payload, pOff, pLen);
        return mac.doFinal();
    }
}
