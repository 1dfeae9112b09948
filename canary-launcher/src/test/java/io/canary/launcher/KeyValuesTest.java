package io.canary.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyValuesTest {

    @Test
    void entriesKeepTheirOrderWithCommasOrSpacesBetweenThem() {
        assertThat(KeyValues.parse(" b=2, a=1 c=3,,", "key", "k=v"))
                .containsExactly(Map.entry("b", "2"), Map.entry("a", "1"), Map.entry("c", "3"));
        assertThat(KeyValues.parse(" , ", "key", "k=v")).isEmpty();
    }

    @Test
    void anEntryWithoutKeyOrValueOrAKeyGivenTwiceIsNamed() {
        assertThatThrownBy(() -> KeyValues.parse("a=1,b", "key", "k=v")).hasMessage("'b' must look like k=v");
        assertThatThrownBy(() -> KeyValues.parse("=1", "key", "k=v")).hasMessage("'=1' must look like k=v");
        assertThatThrownBy(() -> KeyValues.parse("a=", "key", "k=v")).hasMessage("'a=' must look like k=v");
        assertThatThrownBy(() -> KeyValues.parse("a=1 a=2", "key", "k=v")).hasMessage("key a is given twice");
    }

    @Test
    void sharesParseAsFractionsOrPercentages() {
        assertThat(KeyValues.parseShares("v1=0.9 v2=0.1")).containsExactly(Map.entry("v1", 0.9), Map.entry("v2", 0.1));
        assertThat(KeyValues.parseShares("v1=75%,v2=25%")).containsExactly(Map.entry("v1", 0.75), Map.entry("v2", 0.25));
        assertThatThrownBy(() -> KeyValues.parseShares("v1")).hasMessage("'v1' must look like v2=0.1");
        assertThatThrownBy(() -> KeyValues.parseShares("v1=lots")).hasMessage("share of v1 is not a number: 'lots'");
        assertThatThrownBy(() -> KeyValues.parseShares("v1=1 v1=0")).hasMessage("version v1 is given twice");
        assertThatThrownBy(() -> KeyValues.parseShares(" ")).hasMessageContaining("give at least one VERSION=SHARE");
    }
}
