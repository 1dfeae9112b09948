package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import io.canary.launcher.http.api.PredictResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The front's tree-free /predict JSON writes what the mapper writes and reads what it reads, or hands over. */
class PredictJsonTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theEnvelopeIsByteForByteTheMappersForAnyLatency() throws Exception {
        byte[] head = PredictJson.envelopeHead("v2\"x", "node-é");
        for (double ms : new double[] {0.0, 0.001, 0.5, 1.0, 12.345, 1234567.891}) {
            String output = "{\"label\":\"cat\",\"p\":[0.5,1e-3]}";
            String mapper = Json.mapper().writeValueAsString(new PredictResponse("v2\"x", "node-é",
                    JsonNodeFactory.instance.rawValueNode(new RawValue(output)), ms));
            assertThat(new String(PredictJson.envelope(head, b(output), ms), StandardCharsets.UTF_8)).isEqualTo(mapper);
        }
    }

    @Test
    void readsKeyAndTheInputsExactBytesOrHandsOverToTheMapper() {
        PredictJson.Fast f = PredictJson.read(b("{\"input\": {\"features\": [0.1, 2e3]}, \"key\":\"u-1\"}"));
        assertThat(f.key()).isEqualTo("u-1");
        assertThat(new String(f.input(), StandardCharsets.UTF_8)).isEqualTo("{\"features\": [0.1, 2e3]}");
        assertThat(new String(PredictJson.read(b("{\"input\":\"s\"}")).input(), StandardCharsets.UTF_8)).isEqualTo("\"s\"");
        assertThat(PredictJson.read(b("  ")).input()).isNull();
        assertThat(PredictJson.read(b("{\"key\":null}")).key()).isNull();
        // Everything else is the mapper's to accept or word: unknown fields, a number key, bad or trailing JSON.
        assertThat(PredictJson.read(b("{\"inptu\":1}"))).isNull();
        assertThat(PredictJson.read(b("{\"key\":42}"))).isNull();
        assertThat(PredictJson.read(b("{\"input\":"))).isNull();
        assertThat(PredictJson.read(b("{} {}"))).isNull();
        assertThat(PredictJson.read(b("[1]"))).isNull();
    }

    @Test
    void oneValueIsTheAnswerTrimmedOnlyIfItIsExactlyOneJsonValue() {
        assertThat(new String(PredictJson.oneValue(b(" {\"a\":1}\n")), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(PredictJson.oneValue(b("cat {"))).isNull();
        assertThat(PredictJson.oneValue(b("1 2"))).isNull();
        assertThat(PredictJson.oneValue(b(" "))).isNull();
    }
}
