#!/usr/bin/env bash
# Part 5: commit latency for clusters of 3, 10, 30 and 100 nodes on loopback TCP (socket transport),
# fsync on, one closed-loop client on the coordinator (proposeWeights, no HTTP); memory and threads
# per node. Each size measures promotions (v2's share up every commit: every node's YES needed), then
# lowerings (down every commit: a non-promotion). 3-30 nodes run in one JVM at default timings. 100 nodes need 9,900 connections (19,800
# file descriptors: more than one process may open here), so they run in 3 JVMs, at the default
# timings since issue 13 (fan-in of health and heartbeats, NIO transport). After each size: a rollback
# to 0% timed until every member reports it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT="$RESULTS_DIR/scale.txt"
# SCALE_JAVA_OPTS: extra JVM options for every JVM of the run (ScaleBench passes -XX:TieredStopAtLevel on to its
# helper JVMs), e.g. SCALE_JAVA_OPTS=-XX:TieredStopAtLevel=1 for C1 only (BENCHMARKS §5e).
SCALE_JAVA="java ${SCALE_JAVA_OPTS:-} -Xmx2g -Xss256k -Djava.net.preferIPv4Stack=true -cp $BENCH_JAR"
# SCALE_WARMUP_SECONDS: keep committing, unmeasured, this long before each kind (default 0: 10 warm-up commits only).
# Fresh JVMs compile the commit path during the first tens of seconds; ScaleBench's 'RESULT scale-cpu' lines show
# how much of the run's CPU their JIT compiler threads took (BENCHMARKS §5f).
WARMUP_ARGS="--warmup-seconds ${SCALE_WARMUP_SECONDS:-0}"
need_jar
{
  echo "# part 5: scale, $(date -u +%FT%TZ); $(load_note)"
  # shellcheck disable=SC2086
  run_logged $SCALE_JAVA io.canary.bench.scale.ScaleBench --sizes 3,10,30 --commits 300 --max-seconds 30 $WARMUP_ARGS \
    --dir "$BENCH_TMP/scale"
  if [[ "${SCALE_100:-1}" == 1 ]]; then
    # 100 nodes at the DEFAULT timings (issue 13): health and heartbeats fan in to the coordinator and
    # its two warm successors, one NIO selector thread per node; 3 JVMs for the file descriptors.
    # shellcheck disable=SC2086
    run_logged timeout 300 $SCALE_JAVA io.canary.bench.scale.ScaleBench --sizes 100 --commits 300 --max-seconds 45 $WARMUP_ARGS \
      --dir "$BENCH_TMP/scale" --label defaults \
      || echo "# 100 nodes: did not finish within 300 s (exit $?)"
  fi
  echo "# $(load_note)"
} 2>"$BENCH_TMP/scale.log" | tee "$OUT"
grep '^scale ' "$BENCH_TMP/scale.log" | sed 's/^/# /' | tee -a "$OUT"
{
  echo
  echo "# ratios: p50 at N nodes / p50 at 3 nodes, same run, same kind (issue 13's goal: <= 3 at 100 nodes)"
  for kind in promote lower; do
    base=$(result_value "$OUT" p50_ms "^RESULT scale nodes=3 kind=$kind ")
    for n in 10 30 100; do
      v=$(result_value "$OUT" p50_ms "^RESULT scale nodes=$n kind=$kind ")
      if [[ -n "$v" ]]; then
        echo "RATIO scale kind=$kind nodes=$n p50_ms=$v p50_ms_3_nodes=$base ratio=$(ratio "$v" "$base")"
      fi
    done
  done
} | tee -a "$OUT"
