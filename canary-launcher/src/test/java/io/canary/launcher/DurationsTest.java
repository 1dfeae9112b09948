package io.canary.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void unitsPeopleTypeAreUnderstood() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("PT45S")).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void anythingElseIsRejectedWithWhatIsAccepted() {
        for (String bad : new String[] {"", "30", "s", "10 parsecs", "1.2.3s", "-5s", "PTxS"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("500ms");
        }
    }

    @Test
    void millisecondsAcceptPlainNumbersAndUnits() {
        assertThat(Durations.parseMillis("250")).isEqualTo(250.0);
        assertThat(Durations.parseMillis("250ms")).isEqualTo(250.0);
        assertThat(Durations.parseMillis("0.25s")).isEqualTo(250.0);
    }

    @Test
    void formatPicksTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
    }

    @Test
    void aBadDurationOptionIsOneLineNamingTheValue() {
        CommandRun r = CommandRun.canary("load", "--duration", "30", "--nodes", "a=127.0.0.1:1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("canary: --duration: invalid duration '30': use e.g.");
    }
}
