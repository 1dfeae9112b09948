#!/usr/bin/env bash
# Part 5: commit latency for clusters of 3, 10, 30 and 100 nodes on loopback TCP (socket transport),
# fsync on, one closed-loop client on the coordinator (proposeWeights, no HTTP); memory and threads
# per node. 3-30 nodes run in one JVM at default timings. 100 nodes need 9,900 connections (19,800
# file descriptors: more than one process may open here), so they run in 3 JVMs, and with relaxed
# timings: at the defaults, 100 nodes on 2 cores never all see each other (see BENCHMARKS.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT="$RESULTS_DIR/scale.txt"
SCALE_JAVA="java -Xmx2g -Xss256k -Djava.net.preferIPv4Stack=true -cp $BENCH_JAR"
need_jar
{
  echo "# part 5: scale, $(date -u +%FT%TZ); $(load_note)"
  # shellcheck disable=SC2086
  run_logged $SCALE_JAVA io.canary.bench.scale.ScaleBench --sizes 3,10,30 --commits 300 --max-seconds 30 \
    --dir "$BENCH_TMP/scale"
  if [[ "${SCALE_100:-1}" == 1 ]]; then
    # shellcheck disable=SC2086
    run_logged timeout 240 $SCALE_JAVA io.canary.bench.scale.ScaleBench --sizes 100 --commits 100 --max-seconds 45 \
      --dir "$BENCH_TMP/scale" --prepare-timeout 10s --heartbeat-interval 2s --peer-timeout 10s --health-interval 5s \
      --label relaxed:prepare=10s,heartbeat=2s,peer-timeout=10s,health=5s \
      || echo "# 100 nodes: did not finish within 240 s (exit $?)"
  fi
  echo "# $(load_note)"
} 2>"$BENCH_TMP/scale.log" | tee "$OUT"
grep '^scale ' "$BENCH_TMP/scale.log" | sed 's/^/# /' | tee -a "$OUT"
