#!/usr/bin/env bash
# Part 4: reaction time of an automatic rollback, in VIRTUAL time: a 3-node LocalCluster (in-memory
# network, manual clock), 200 requests/s per node through route/record, a rollout of v2 at 25%
# whose canary starts failing 30% of its requests at 0, 1/4, 1/2 or 3/4 into the step. Reported:
# seconds until every node routes 0% to v2. Commit latency and the network are ~0 in virtual time
# (part 2 measures them: milliseconds, negligible next to analysis intervals). Then reaction-real.sh
# cross-checks the fast profile with three real node processes on the wall clock.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT="$RESULTS_DIR/reaction.txt"
need_jar
{
  echo "# part 4: reaction time (virtual time), $(date -u +%FT%TZ); $(load_note)"
  run_logged java_bench io.canary.bench.reaction.ReactionTime --rps-per-node 200 --error-rate 0.30 2>"$BENCH_TMP/reaction.log"
} | tee "$OUT"

# The same with real processes and the wall clock (the fast profile; about a minute).
"$BENCH_DIR/reaction-real.sh"
