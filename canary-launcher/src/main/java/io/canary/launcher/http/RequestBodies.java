package io.canary.launcher.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.canary.launcher.http.api.PredictRequest;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.launcher.http.api.WeightsRequest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads request bodies with a hard size limit and turns JSON problems into one-line 400s.
 * Unknown fields are refused (400), on every endpoint alike.
 */
final class RequestBodies {
    private final ObjectMapper mapper;
    private final int maxBytes;

    RequestBodies(ObjectMapper mapper, int maxBytes) {
        this.mapper = mapper;
        this.maxBytes = maxBytes;
    }

    /** The body, at most {@code maxBytes}; 413 past that, whatever Content-Length claimed. */
    byte[] read(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buf = in.readNBytes(maxBytes + 1);
            if (buf.length > maxBytes) {
                throw tooLarge();
            }
            return buf;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    /** The body as {@code type}; null when the body is empty. */
    <T> T parse(Context ctx, Class<T> type) {
        return parse(read(ctx), type);
    }

    /** {@code body} as {@code type}; null when it is empty; 400 with what is wrong otherwise. Any thread. */
    <T> T parse(byte[] body, Class<T> type) {
        if (isBlank(body)) {
            return null;
        }
        try {
            return mapper.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : " (known: " + e.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'" + known);
        } catch (InvalidFormatException e) {
            throw ApiException.badRequest("field '" + path(e) + "': cannot use " + e.getValue() + " as "
                    + e.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw ApiException.badRequest("request body must be a JSON object, e.g. " + example(type));
            }
            throw ApiException.badRequest("field '" + field + "' has the wrong type: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + firstLine(e.getOriginalMessage())
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    ApiException tooLarge() {
        return new ApiException(413, "request body larger than " + maxBytes + " bytes");
    }

    private static String example(Class<?> type) {
        if (type == WeightsRequest.class) {
            return "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}";
        }
        if (type == RolloutRequest.class) {
            return "{\"canary\":\"v2\"}";
        }
        if (type == PredictRequest.class) {
            return "{\"input\":[1,2,3]}";
        }
        return "{...}";
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        // Jackson's "(start marker at [Source: REDACTED (...); line: 1, column: 1])" helps no reader.
        String line = s.lines().findFirst().orElse("").replaceAll(" \\(start marker at \\[Source: .*\\]\\)", "");
        // Jackson quotes the type it wanted with its package; readers only need the simple name.
        return Arrays.stream(line.split(" ")).map(w -> w.replaceAll("`?java\\.lang\\.|`?io\\.canary\\.[a-z.]+\\.", ""))
                .collect(Collectors.joining(" "));
    }
}
