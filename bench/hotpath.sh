#!/usr/bin/env bash
# Part 1: the hot path under JMH with the GC profiler, at 1 and 2 threads, floors in the same JMH
# run. The swap groups (1 routing thread + 1 thread calling Router.update in a loop) run once.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT="$RESULTS_DIR/hotpath.txt"
JMH_OPTS=${JMH_OPTS:-"-f 2 -wi 2 -w 1s -i 5 -r 1s"}
need_jar
: >"$OUT"
echo "# part 1: hot path, $(date -u +%FT%TZ), JMH $JMH_OPTS -prof gc; $(load_note)" | tee -a "$OUT"
# shellcheck disable=SC2086
{
  run_logged java -jar "$BENCH_JAR" $JMH_OPTS -prof gc -t 1 -rf json -rff "$RESULTS_DIR/jmh-1thread.json" \
    'HotPathBenchmark|SwapBenchmark'
  run_logged java -jar "$BENCH_JAR" $JMH_OPTS -prof gc -t 2 -rf json -rff "$RESULTS_DIR/jmh-2threads.json" \
    'HotPathBenchmark'
} >"$RESULTS_DIR/jmh-raw.txt" 2>&1
grep -E '^\$ |^Benchmark|^HotPath|^Swap' "$RESULTS_DIR/jmh-raw.txt" >>"$OUT" || true
java_bench io.canary.bench.report.JmhReport "$RESULTS_DIR/jmh-1thread.json" "$RESULTS_DIR/jmh-2threads.json" | tee -a "$OUT"
