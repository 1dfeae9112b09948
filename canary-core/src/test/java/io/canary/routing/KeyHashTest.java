package io.canary.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Test
    void byteReferenceMatchesPublishedMurmur3Vectors() {
        assertThat(KeyHash.murmur3(new byte[0], 0)).isZero();
        assertThat(KeyHash.murmur3(new byte[0], 1)).isEqualTo(0x514E28B7);
        assertThat(KeyHash.murmur3(new byte[0], 0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(KeyHash.murmur3(new byte[4], 0)).isEqualTo(0x2362F9DE);
        assertThat(KeyHash.murmur3(ascii("aaaa"), 0x9747b28c)).isEqualTo(0x5A97808A);
        assertThat(KeyHash.murmur3(ascii("abc"), 0)).isEqualTo(0xB3DD93FA);
        assertThat(KeyHash.murmur3(ascii("Hello, world!"), 0x9747b28c)).isEqualTo(0x24884CBA);
        assertThat(KeyHash.murmur3(ascii("The quick brown fox jumps over the lazy dog"), 0x9747b28c)).isEqualTo(0x2FA826CD);
    }

    @Test
    void charHashEqualsMurmur3OfTheUtf16LeBytesForAnyString() {
        Random random = new Random(1);
        for (int n = 0; n < 2_000; n++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) random.nextInt(Character.MAX_VALUE + 1); // surrogates included
            }
            String key = new String(chars);
            int seed = random.nextInt();
            assertThat(KeyHash.murmur3(key, seed))
                    .as("key of %d chars", chars.length)
                    .isEqualTo(KeyHash.murmur3(utf16le(chars), seed));
        }
    }

    @Test
    void bucketsCoverTheWholeRangeEvenly() {
        assertThat(KeyHash.bucketOf(0)).isZero();
        assertThat(KeyHash.bucketOf(-1)).isEqualTo(9_999);
        assertThat(KeyHash.bucketOf(Integer.MIN_VALUE)).isEqualTo(5_000);
        // every bucket gets floor or ceil of 2^32 / 10000 hashes: check the boundaries of bucket 1
        long firstOfBucket1 = ((1L << 32) + 9_999) / 10_000;
        assertThat(KeyHash.bucketOf((int) firstOfBucket1)).isEqualTo(1);
        assertThat(KeyHash.bucketOf((int) (firstOfBucket1 - 1))).isZero();
    }

    /** UTF-16LE by hand: the JDK's encoder would replace unpaired surrogates. */
    private static byte[] utf16le(char[] chars) {
        byte[] bytes = new byte[chars.length * 2];
        for (int i = 0; i < chars.length; i++) {
            bytes[2 * i] = (byte) chars[i];
            bytes[2 * i + 1] = (byte) (chars[i] >>> 8);
        }
        return bytes;
    }

    @Test
    void charHashOfAsciiKeyEqualsTheJdksUtf16LeEncoding() {
        assertThat(KeyHash.murmur3("user-123", 7)).isEqualTo(KeyHash.murmur3("user-123".getBytes(StandardCharsets.UTF_16LE), 7));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
