#!/usr/bin/env bash
# Part 6: the rollout judges, in VIRTUAL time: every profile of io.canary.bench.judge.Profile run many
# times on a 3-node LocalCluster (in-memory network, manual clock), 200 requests/s per node through
# route/record, with the default sequential judge and with the old threshold judge on the same seeds.
# Reported per judge and profile: completed / rolled back / timed out (rolled back at the maximum step
# duration) / unfinished, seconds from the onset of a bad canary to 0% on every node (median, p90),
# bad-canary requests served (exposure) and promotions decided on sparse data.
# VERBOSE=1 lists every run that went wrong in $RESULTS_DIR/judge.log (with the per-profile run times).
# HEALTHY_RUNS (default 1000) sets the healthy profile's runs (the false-rollback rate), RUNS (100) the others';
# FIRST_SEED (default 1) the first seed (runs use FIRST_SEED .. FIRST_SEED+runs-1: another start gives fresh seeds).
# Takes about an hour on 2 cores; THREADS (default 2) runs rollouts in parallel.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT="$RESULTS_DIR/judge.txt"
need_jar
{
  echo "# part 6: rollout judges (virtual time), $(date -u +%FT%TZ); $(load_note)"
  run_logged java_bench io.canary.bench.judge.JudgeEvaluation --healthy-runs "${HEALTHY_RUNS:-1000}" --runs "${RUNS:-100}" \
    --threads "${THREADS:-2}" --first-seed "${FIRST_SEED:-1}" ${PROFILES:+--profiles "$PROFILES"} ${JUDGES:+--judges "$JUDGES"} ${VERBOSE:+--verbose} 2>"$RESULTS_DIR/judge.log"
} | tee "$OUT"
