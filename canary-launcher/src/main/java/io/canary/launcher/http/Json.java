package io.canary.launcher.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The data plane's JSON conventions, shared by the server and its tests. */
public final class Json {
    private Json() {
    }

    /**
     * A mapper that rejects unknown fields in requests (a typo such as {@code "weight"} must not be
     * ignored silently on an endpoint that changes the fleet), and numbers where strings belong.
     */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
    }
}
