package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void weightsPrintAsPythonDictsLikeTheGuide() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("v2", 0.0);
        w.put("v1", 1.0);
        assertThat(Formats.pyWeights(w)).isEqualTo("{'v1': 1.0, 'v2': 0.0}");
        assertThat(Formats.pyWeights(Map.of("v1", 0.95, "v2", 0.05))).isEqualTo("{'v1': 0.95, 'v2': 0.05}");
        assertThat(Formats.pyWeights(Map.of("v1", 0.9999, "v2", 0.0001))).isEqualTo("{'v1': 0.9999, 'v2': 0.0001}");
    }

    @Test
    void percentagesAndMillisHaveFixedDecimals() {
        assertThat(Formats.percent(0.1)).isEqualTo("10.00%");
        assertThat(Formats.percent(0.10625)).isEqualTo("10.63%");
        assertThat(Formats.millis(120)).isEqualTo("120.0ms");
        assertThat(Formats.percentWeights(Map.of("v1", 0.75, "v2", 0.25))).isEqualTo("v1 75%, v2 25%");
    }
}
