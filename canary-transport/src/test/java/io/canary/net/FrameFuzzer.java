package io.canary.net;

import io.canary.net.codec.CodecException;
import io.canary.net.codec.FrameHeader;
import io.canary.net.codec.Hello;
import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.MessageType;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Makes hostile byte streams from valid frames, and predicts what a correct receiver delivers from
 * a frame an authenticated member sealed after damaging it.
 */
final class FrameFuzzer {
    /** The _RESEALED ones recompute the checksum after the damage, so the damage reaches the decoder. */
    enum Mutation { RANDOM_BYTES, BIT_FLIPS, BIT_FLIPS_RESEALED, TRUNCATION, HUGE_LENGTH, WRONG_MAGIC, GARBAGE_THEN_VALID,
        RANDOM_TYPE, PAYLOAD_SCRAMBLE, PAYLOAD_SCRAMBLE_RESEALED, VALID_THEN_GARBAGE, VALID }

    private final MessageCodec codec;
    private final List<byte[]> corpus = new ArrayList<>();
    /** The same messages as header and payload only, for a member that seals what it sends. */
    private final List<byte[]> unsealed = new ArrayList<>();
    private final Random random;

    FrameFuzzer(MessageCodec codec, List<Message> messages, long seed) {
        this.codec = codec;
        this.random = new Random(seed);
        for (Message m : messages) {
            corpus.add(codec.encodeFrame(m));
            unsealed.add(codec.encodeUnsealed(m, WireFormat.PROTOCOL_VERSION));
        }
    }

    Mutation pick() {
        Mutation[] all = Mutation.values();
        return all[random.nextInt(all.length)];
    }

    /** A hostile version of a random valid frame. */
    byte[] frame(Mutation mutation) {
        byte[] valid = corpus.get(random.nextInt(corpus.size()));
        switch (mutation) {
            case RANDOM_BYTES: {
                byte[] b = new byte[random.nextInt(64)];
                random.nextBytes(b);
                return b;
            }
            case BIT_FLIPS:
            case BIT_FLIPS_RESEALED: {
                byte[] b = valid.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int bit = random.nextInt(b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return mutation == Mutation.BIT_FLIPS_RESEALED ? reseal(b) : b;
            }
            case TRUNCATION:
                return Arrays.copyOf(valid, random.nextInt(valid.length));
            case HUGE_LENGTH: {
                byte[] b = valid.clone();
                int length = random.nextBoolean() ? Integer.MAX_VALUE - random.nextInt(1000) : -1 - random.nextInt(Integer.MAX_VALUE);
                if (random.nextBoolean()) {
                    length = codec.maxFrameBytes() - WireFormat.HEADER_BYTES + 1 + random.nextInt(1 << 20);
                }
                putInt(b, WireFormat.HEADER_BYTES - 4, length);
                return b;
            }
            case WRONG_MAGIC: {
                byte[] b = valid.clone();
                b[random.nextInt(4)] ^= (byte) (1 + random.nextInt(255));
                return b;
            }
            case GARBAGE_THEN_VALID: {
                byte[] garbage = new byte[1 + random.nextInt(32)];
                random.nextBytes(garbage);
                return concat(garbage, valid);
            }
            case RANDOM_TYPE: {
                byte[] b = valid.clone();
                b[6] = (byte) random.nextInt(256);
                return reseal(b);
            }
            case PAYLOAD_SCRAMBLE:
            case PAYLOAD_SCRAMBLE_RESEALED: {
                byte[] b = valid.clone();
                if (b.length > WireFormat.HEADER_BYTES) {
                    int from = WireFormat.HEADER_BYTES + random.nextInt(b.length - WireFormat.HEADER_BYTES);
                    int to = Math.min(b.length, from + 1 + random.nextInt(16));
                    for (int i = from; i < to; i++) {
                        b[i] = (byte) random.nextInt(256);
                    }
                }
                return mutation == Mutation.PAYLOAD_SCRAMBLE_RESEALED ? reseal(b) : b;
            }
            case VALID_THEN_GARBAGE: {
                byte[] garbage = new byte[1 + random.nextInt(32)];
                random.nextBytes(garbage);
                return concat(valid, garbage);
            }
            case VALID:
            default:
                return valid;
        }
    }

    /** A hostile frame as an authenticated member sends it, sealed after the damage, and what a correct node delivers from it. */
    record Sealed(byte[] bytes, Message delivers) {
    }

    /**
     * Damages a random message's header and payload, then seals it as its sender would (tag and
     * checksum over the damaged bytes): the node must decode it safely, or refuse it.
     */
    Sealed sealed(Mutation mutation, io.canary.net.internal.FrameSeal seal) {
        byte[] body = unsealed.get(random.nextInt(unsealed.size())).clone();
        switch (mutation) {
            case RANDOM_BYTES:
                body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                break;
            case BIT_FLIPS:
            case BIT_FLIPS_RESEALED:
                for (int i = 1 + random.nextInt(8); i > 0; i--) {
                    int bit = random.nextInt(body.length * 8);
                    body[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                break;
            case TRUNCATION:
                body = Arrays.copyOf(body, random.nextInt(body.length));
                break;
            case HUGE_LENGTH:
                putInt(body, WireFormat.HEADER_BYTES - 4, random.nextBoolean() ? Integer.MAX_VALUE - random.nextInt(1000)
                        : codec.maxFrameBytes() - WireFormat.HEADER_BYTES + 1 + random.nextInt(1 << 20));
                break;
            case WRONG_MAGIC:
                body[random.nextInt(4)] ^= (byte) (1 + random.nextInt(255));
                break;
            case RANDOM_TYPE:
                body[6] = (byte) random.nextInt(256);
                break;
            case PAYLOAD_SCRAMBLE:
            case PAYLOAD_SCRAMBLE_RESEALED:
                if (body.length > WireFormat.HEADER_BYTES) {
                    int from = WireFormat.HEADER_BYTES + random.nextInt(body.length - WireFormat.HEADER_BYTES);
                    for (int i = from; i < Math.min(body.length, from + 1 + random.nextInt(16)); i++) {
                        body[i] = (byte) random.nextInt(256);
                    }
                }
                break;
            case GARBAGE_THEN_VALID:
            case VALID_THEN_GARBAGE: {
                byte[] garbage = new byte[1 + random.nextInt(32)];
                random.nextBytes(garbage);
                body = mutation == Mutation.GARBAGE_THEN_VALID ? concat(garbage, body) : concat(body, garbage);
                break;
            }
            case VALID:
            default:
                break;
        }
        return new Sealed(seal.seal(body), delivers(body));
    }

    /** The message a correct node delivers from {@code body} sealed as one frame, or null: as its reader checks. */
    private Message delivers(byte[] body) {
        FrameHeader h = header(body, 0);
        if (h == null || body.length != WireFormat.HEADER_BYTES + h.length() || h.version() != WireFormat.PROTOCOL_VERSION
                || MessageType.ofCode(h.type()) == null) {
            return null;
        }
        try {
            return codec.decode(h.type(), body, WireFormat.HEADER_BYTES, h.length());
        } catch (CodecException e) {
            return null;
        }
    }

    /** The auth frame of a client that claims a mode but cannot prove anything. */
    byte[] bogusAuth(boolean withBogusProof) {
        byte[] nonce = new byte[io.canary.net.codec.AuthOffer.NONCE_BYTES];
        random.nextBytes(nonce);
        io.canary.net.codec.AuthOffer.Mode mode = random.nextBoolean() ? io.canary.net.codec.AuthOffer.Mode.NONE
                : io.canary.net.codec.AuthOffer.Mode.SECRET;
        byte[] auth = codec.encodeAuth(new io.canary.net.codec.AuthOffer(mode, nonce));
        if (!withBogusProof) {
            return auth;
        }
        byte[] proof = new byte[io.canary.net.codec.AuthOffer.PROOF_BYTES];
        random.nextBytes(proof);
        return concat(auth, codec.encodeProof(proof));
    }

    /** A Hello of {@code nodeId}, possibly mutated (bit flips, truncation, random bytes). */
    byte[] hello(String clusterId, String nodeId, boolean mutate) {
        byte[] h = codec.encodeHello(new Hello(clusterId, nodeId, WireFormat.PROTOCOL_VERSION));
        if (!mutate) {
            return h;
        }
        switch (random.nextInt(3)) {
            case 0: {
                int bit = random.nextInt(h.length * 8);
                h[bit / 8] ^= (byte) (1 << (bit % 8));
                return h;
            }
            case 1:
                return Arrays.copyOf(h, random.nextInt(h.length));
            default: {
                byte[] b = new byte[random.nextInt(48)];
                random.nextBytes(b);
                return b;
            }
        }
    }

    /** Recomputes the checksum of a single damaged frame, as a careless (or malicious) middlebox would. */
    private static byte[] reseal(byte[] frame) {
        if (frame.length >= WireFormat.HEADER_BYTES + WireFormat.CHECKSUM_BYTES) {
            int body = frame.length - WireFormat.CHECKSUM_BYTES;
            putInt(frame, body, WireFormat.checksum(frame, 0, body));
        }
        return frame;
    }

    private FrameHeader header(byte[] bytes, int pos) {
        if (bytes.length - pos < WireFormat.HEADER_BYTES) {
            return null;
        }
        try {
            return FrameHeader.parse(Arrays.copyOfRange(bytes, pos, pos + WireFormat.HEADER_BYTES), codec.maxFrameBytes());
        } catch (CodecException e) {
            return null;
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
