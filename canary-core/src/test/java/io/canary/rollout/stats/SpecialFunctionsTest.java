package io.canary.rollout.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SpecialFunctionsTest {

    @Test
    void logGammaMatchesClosedFormsAndTabulatedValues() {
        assertThat(SpecialFunctions.logGamma(1)).isCloseTo(0, within(1e-14));
        assertThat(SpecialFunctions.logGamma(2)).isCloseTo(0, within(1e-14));
        assertThat(SpecialFunctions.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-13));
        assertThat(SpecialFunctions.logGamma(10)).isCloseTo(Math.log(362_880), within(1e-12));
        // ln Γ(n) = ln (n-1)! summed exactly
        double logFactorial = 0;
        for (int k = 2; k < 171; k++) {
            logFactorial += Math.log(k);
        }
        assertThat(SpecialFunctions.logGamma(172)).isCloseTo(logFactorial + Math.log(171), within(1e-9));
        // Abramowitz & Stegun table 6.1 / DLMF: Γ(0.1) = 9.513507698668732, Γ(1.5) = √π / 2
        assertThat(SpecialFunctions.logGamma(0.1)).isCloseTo(Math.log(9.513507698668732), within(1e-12));
        assertThat(SpecialFunctions.logGamma(1.5)).isCloseTo(Math.log(Math.sqrt(Math.PI) / 2), within(1e-13));
        // Γ(x+1) = x Γ(x) far out
        assertThat(SpecialFunctions.logGamma(1e6 + 1) - SpecialFunctions.logGamma(1e6)).isCloseTo(Math.log(1e6), within(1e-7));
    }

    @Test
    void logBetaIsTheLogOfTheBetaFunction() {
        // B(2, 3) = 1! 2! / 4! = 1/12 ; B(0.5, 0.5) = π
        assertThat(SpecialFunctions.logBeta(2, 3)).isCloseTo(Math.log(1.0 / 12), within(1e-13));
        assertThat(SpecialFunctions.logBeta(0.5, 0.5)).isCloseTo(Math.log(Math.PI), within(1e-13));
    }

    @Test
    void logGammaRefusesNonPositiveArguments() {
        assertThatThrownBy(() -> SpecialFunctions.logGamma(0)).hasMessageContaining("x > 0");
        assertThatThrownBy(() -> SpecialFunctions.logGamma(Double.NaN)).hasMessageContaining("x > 0");
    }
}
