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
 * each: the messages of the well-formed frames before the first bad one.
 */
final class FrameFuzzer {
    /** The _RESEALED ones recompute the checksum after the damage, so the damage reaches the decoder. */
    enum Mutation { RANDOM_BYTES, BIT_FLIPS, BIT_FLIPS_RESEALED, TRUNCATION, HUGE_LENGTH, WRONG_MAGIC, GARBAGE_THEN_VALID,
        RANDOM_TYPE, PAYLOAD_SCRAMBLE, PAYLOAD_SCRAMBLE_RESEALED, VALID_THEN_GARBAGE, VALID }

    private final MessageCodec codec;
    private final List<byte[]> corpus = new ArrayList<>();
    private final Random random;

    FrameFuzzer(MessageCodec codec, List<Message> messages, long seed) {
        this.codec = codec;
        this.random = new Random(seed);
        for (Message m : messages) {
            corpus.add(codec.encodeFrame(m));
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

    /**
     * What a correct receiver that is {@code selfId} of cluster {@code clusterId} with members
     * {@code members} delivers from a whole connection's {@code bytes}: nothing unless the first
     * frame is an acceptable Hello; then the messages of the frames up to the first malformed one,
     * from the node the Hello named.
     */
    List<Inbox.Received> expectedDeliveries(byte[] bytes, String clusterId, String selfId, Set<String> members) {
        List<Inbox.Received> out = new ArrayList<>();
        FrameHeader first = header(bytes, 0);
        if (first == null || first.type() != WireFormat.TYPE_HELLO || !intact(bytes, 0, first)) {
            return out;
        }
        Hello hello;
        try {
            hello = Hello.decode(bytes, WireFormat.HEADER_BYTES, first.length());
        } catch (CodecException e) {
            return out;
        }
        if (hello.protocolVersion() != WireFormat.PROTOCOL_VERSION || !hello.clusterId().equals(clusterId)
                || hello.nodeId().equals(selfId) || !members.contains(hello.nodeId())) {
            return out;
        }
        int pos = end(0, first);
        while (true) {
            FrameHeader h = header(bytes, pos);
            if (h == null || !intact(bytes, pos, h)) {
                return out;
            }
            int start = pos + WireFormat.HEADER_BYTES;
            if (h.version() != WireFormat.PROTOCOL_VERSION || MessageType.ofCode(h.type()) == null) {
                return out;
            }
            try {
                out.add(new Inbox.Received(hello.nodeId(), codec.decode(h.type(), bytes, start, h.length())));
            } catch (CodecException e) {
                return out;
            }
            pos = end(pos, h);
        }
    }

    /** Where the frame with header {@code h} at {@code pos} ends: its checksum, if its version has one, included. */
    private static int end(int pos, FrameHeader h) {
        return pos + WireFormat.HEADER_BYTES + h.length() + (WireFormat.hasChecksum(h.version()) ? WireFormat.CHECKSUM_BYTES : 0);
    }

    /** True if the whole frame is there and its checksum (if its version has one) matches, as a receiver checks. */
    private static boolean intact(byte[] bytes, int pos, FrameHeader h) {
        int end = end(pos, h);
        if (end > bytes.length) {
            return false;
        }
        if (!WireFormat.hasChecksum(h.version())) {
            return true;
        }
        int body = end - WireFormat.CHECKSUM_BYTES;
        return WireFormat.checksum(bytes, pos, body - pos) == readInt(bytes, body);
    }

    /** Recomputes the checksum of a single damaged frame, as a careless (or malicious) middlebox would. */
    private static byte[] reseal(byte[] frame) {
        if (frame.length >= WireFormat.HEADER_BYTES + WireFormat.CHECKSUM_BYTES) {
            int body = frame.length - WireFormat.CHECKSUM_BYTES;
            putInt(frame, body, WireFormat.checksum(frame, 0, body));
        }
        return frame;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
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
