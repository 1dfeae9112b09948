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
    void regularizedBetaMatchesClosedFormsAndScipy() {
        // x, a, b, I_x(a, b), tolerance: I_x(1, 1) = x; I_x(2, 3) = 1 - (1-x)^4 - 4x(1-x)^3 (0.5248 at 0.4); then
        // scipy.special.betainc: the arcsine law, a binomial tail, and two tails at half a million requests
        double[][] table = {
            {0.3, 1, 1, 0.3, 1e-14},
            {0.4, 2, 3, 0.5248, 1e-13},
            {0.3, 0.5, 0.5, 0.36901011956554536, 1e-12},
            {0.03, 30, 970, 0.5231793995744571, 1e-11},
            {0.01, 5100, 504_900, 0.5018340568272116, 1e-9},
            {0.99, 504_900, 5100, 0.4981659431727618, 1e-9},
        };
        for (double[] row : table) {
            assertThat(SpecialFunctions.regularizedBeta(row[0], row[1], row[2])).as(java.util.Arrays.toString(row))
                    .isCloseTo(row[3], within(row[4]));
        }
        assertThat(SpecialFunctions.regularizedBeta(0, 3, 4)).isZero();
        assertThat(SpecialFunctions.regularizedBeta(1, 3, 4)).isEqualTo(1);
        assertThatThrownBy(() -> SpecialFunctions.regularizedBeta(0.5, 0, 1)).hasMessageContaining("a, b > 0");
        assertThatThrownBy(() -> SpecialFunctions.regularizedBeta(1.5, 1, 1)).hasMessageContaining("x in [0,1]");
    }

    @Test
    void logGammaRefusesNonPositiveArguments() {
        assertThatThrownBy(() -> SpecialFunctions.logGamma(0)).hasMessageContaining("x > 0");
        assertThatThrownBy(() -> SpecialFunctions.logGamma(Double.NaN)).hasMessageContaining("x > 0");
    }
}
