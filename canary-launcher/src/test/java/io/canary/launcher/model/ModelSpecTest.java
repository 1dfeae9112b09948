package io.canary.launcher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    void demoWithoutParametersTakesDefaults() {
        var e = ModelSpec.parse("v1=demo");
        assertThat(e.getKey()).isEqualTo("v1");
        assertThat(e.getValue()).isEqualTo(new ModelSpec.Demo(ModelSpec.DEFAULT_DEMO_LATENCY, ModelSpec.DEFAULT_DEMO_ERRORS));
    }

    @Test
    void demoParametersAreParsed() {
        assertThat(ModelSpec.parse("v2=demo:latency=120ms,errors=0.05").getValue())
                .isEqualTo(new ModelSpec.Demo(Duration.ofMillis(120), 0.05));
        assertThat(ModelSpec.parse("v2=demo:errors=1").getValue())
                .isEqualTo(new ModelSpec.Demo(ModelSpec.DEFAULT_DEMO_LATENCY, 1.0));
    }

    @Test
    void httpBackendKeepsTheUrl() {
        var spec = (ModelSpec.Http) ModelSpec.parse("v2=http://10.0.0.5:8080/predict").getValue();
        assertThat(spec.uri()).isEqualTo(URI.create("http://10.0.0.5:8080/predict"));
        assertThat(spec.describe()).isEqualTo("http://10.0.0.5:8080/predict");
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertThatThrownBy(() -> ModelSpec.parse("v2")).hasMessageStartingWith("bad model spec 'v2': expected VERSION=");
        assertThatThrownBy(() -> ModelSpec.parse("v2=grpc://x")).hasMessageContaining("must be 'demo");
        assertThatThrownBy(() -> ModelSpec.parse("v2=demo:errors=2")).hasMessage("bad model spec 'v2=demo:errors=2': demo model errors must be in [0,1], got 2.0");
        assertThatThrownBy(() -> ModelSpec.parse("v2=demo:speed=3")).hasMessageContaining("unknown parameter 'speed'");
        assertThatThrownBy(() -> ModelSpec.parse("v 2=demo")).hasMessageContaining("version name");
        assertThatThrownBy(() -> ModelSpec.parse("v2=http:///nohost")).hasMessageContaining("no host");
    }
}
