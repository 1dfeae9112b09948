package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
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

    @Test
    void sharesParseAsFractionsOrPercentages() {
        assertThat(WeightsCommand.parseShares(List.of("v1=0.9", "v2=0.1"))).containsExactly(Map.entry("v1", 0.9), Map.entry("v2", 0.1));
        assertThat(WeightsCommand.parseShares(List.of("v1=75%,v2=25%"))).containsExactly(Map.entry("v1", 0.75), Map.entry("v2", 0.25));
        assertThatThrownBy(() -> WeightsCommand.parseShares(List.of("v1"))).hasMessage("'v1' must look like v2=0.1");
        assertThatThrownBy(() -> WeightsCommand.parseShares(List.of("v1=lots"))).hasMessage("share of v1 is not a number: 'lots'");
        assertThatThrownBy(() -> WeightsCommand.parseShares(List.of("v1=1", "v1=0"))).hasMessage("version v1 is given twice");
    }
}
