package io.canary.bench.judge;

/**
 * One rollout's outcome.
 *
 * @param outcome completed, rolled back (by a verdict), timed out (rolled back at the maximum step
 *     duration), or unfinished within the time budget
 * @param onsetToZeroMillis virtual ms from the onset of a bad canary to 0% on every node (-1: never, or a good canary)
 * @param exposure requests served by the bad canary from the onset until 0% (until 100%, if it completed)
 * @param sparsePromotions promotions decided on fewer than minRequests of either version
 * @param virtualMillis how long the rollout took
 * @param ending the rollout's phase, step and reason at the end, for the runs that went wrong
 */
record RunResult(Outcome outcome, long onsetToZeroMillis, long exposure, int sparsePromotions, long virtualMillis,
                 String ending) {
    enum Outcome { COMPLETED, ROLLED_BACK, TIMED_OUT, UNFINISHED }
}
