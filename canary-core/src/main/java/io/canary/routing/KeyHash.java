package io.canary.routing;

import io.canary.model.Weights;

/**
 * The sticky-routing hash: 32-bit MurmurHash3 (x86_32) over a key's UTF-16 code units, two per 32-bit
 * block, little-endian, exactly as if the key were encoded as UTF-16LE bytes (the same value as
 * Guava's {@code murmur3_32_fixed().hashUnencodedChars}). Reading {@link String#charAt} directly keeps
 * it allocation-free, and fixing the algorithm keeps every node, in any JVM, on the same buckets.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class KeyHash {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private KeyHash() {
    }

    /** MurmurHash3 x86_32 of {@code key}'s chars (as UTF-16LE bytes) with {@code seed}. */
    public static int murmur3(String key, int seed) {
        int h1 = seed;
        int length = key.length();
        int i = 1;
        for (; i < length; i += 2) {
            int k1 = key.charAt(i - 1) | (key.charAt(i) << 16);
            h1 = mixH1(h1, mixK1(k1));
        }
        if ((length & 1) == 1) {
            h1 ^= mixK1(key.charAt(length - 1));
        }
        return fmix(h1, 2 * length);
    }

    /** The routing bucket of {@code key} in [0, 10000): its hash scaled down without modulo bias. */
    public static int bucket(String key, int seed) {
        return bucketOf(murmur3(key, seed));
    }

    /** Scales a 32-bit hash to [0, 10000) by multiplication, so every bucket gets 429,496 or 429,497 hashes. */
    static int bucketOf(int hash) {
        return (int) (((hash & 0xffffffffL) * Weights.TOTAL_BASIS_POINTS) >>> 32);
    }

    /** MurmurHash3 x86_32 of raw bytes; the reference the char version is tested against. */
    static int murmur3(byte[] data, int seed) {
        int h1 = seed;
        int blocks = data.length / 4;
        for (int b = 0; b < blocks; b++) {
            int i = b * 4;
            int k1 = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            h1 = mixH1(h1, mixK1(k1));
        }
        int tail = blocks * 4;
        int k1 = 0;
        switch (data.length & 3) {
            case 3:
                k1 ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 ^= data[tail] & 0xff;
                h1 ^= mixK1(k1);
                break;
            default:
                break;
        }
        return fmix(h1, data.length);
    }

    private static int mixK1(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    private static int mixH1(int h1, int k1) {
        h1 ^= k1;
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    private static int fmix(int h1, int length) {
        h1 ^= length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
