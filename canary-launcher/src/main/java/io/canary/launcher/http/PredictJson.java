package io.canary.launcher.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON of {@code /predict} on the Netty front without trees: the request's {@code key} and the
 * exact bytes of its {@code input} read by one pass of the tokenizer, and the envelope written
 * around the model's answer bytes. The same JSON as the mapper's (the envelope's fields in
 * {@link io.canary.launcher.http.api.PredictResponse}'s order, {@code latencyMs} as Java prints a
 * double, as Jackson does); anything unusual goes back to the mapper, which words the errors.
 *
 * <p>Pure functions; any thread.
 */
final class PredictJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** A request body read the fast way: its key (or null) and its input's bytes (null without input). */
    record Fast(String key, byte[] input) {
    }

    private PredictJson() {
    }

    /**
     * {@code {"key":"..","input":..}} (either field optional, in any order), or a blank body; null
     * for anything else (other fields, a key that is not a string, malformed JSON, trailing tokens):
     * the caller then reads the body with the mapper, which accepts it or says what is wrong.
     */
    static Fast read(byte[] body) {
        if (isBlank(body)) {
            return new Fast(null, null);
        }
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String key = null;
            byte[] input = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("key")) {
                    if (v == JsonToken.VALUE_STRING) {
                        key = p.getText();
                    } else if (v == JsonToken.VALUE_NULL) {
                        key = null;
                    } else {
                        return null;
                    }
                } else if (name.equals("input")) {
                    int from = (int) p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    p.finishToken(); // a string is scanned lazily: read to its closing quote first
                    int to = (int) p.currentLocation().getByteOffset();
                    input = Arrays.copyOfRange(body, from, to);
                } else {
                    return null;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new Fast(key, input);
        } catch (IOException | RuntimeException notSimple) {
            return null;
        }
    }

    /** The answer's bytes without surrounding JSON white space, if they are exactly one JSON value; else null. */
    static byte[] oneValue(byte[] answer) {
        int from = 0;
        int to = answer.length;
        while (from < to && isJsonSpace(answer[from])) {
            from++;
        }
        while (to > from && isJsonSpace(answer[to - 1])) {
            to--;
        }
        if (from == to) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(answer, from, to - from)) {
            if (p.nextToken() == null) {
                return null;
            }
            p.skipChildren();
            return p.nextToken() == null ? (from == 0 && to == answer.length ? answer : Arrays.copyOfRange(answer, from, to)) : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    /** {@code {"version":..,"node":..,"output":}}: what every envelope of {@code version} starts with. */
    static byte[] envelopeHead(String version, String node) {
        return ("{\"version\":\"" + quote(version) + "\",\"node\":\"" + quote(node) + "\",\"output\":").getBytes(StandardCharsets.UTF_8);
    }

    /** The envelope: {@code head}, the output's JSON bytes, then {@code ,"latencyMs":ms}. */
    static byte[] envelope(byte[] head, byte[] output, double latencyMs) {
        byte[] tail = (",\"latencyMs\":" + latencyMs + "}").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + output.length + tail.length);
        out.writeBytes(head);
        out.writeBytes(output);
        out.writeBytes(tail);
        return out.toByteArray();
    }

    private static String quote(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }
}
