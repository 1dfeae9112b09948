#!/usr/bin/env bash
# Part 2: weight-change commit latency. Canary: 3 `canary node` processes (separate JVMs) over
# loopback TCP, fsync on (the default state log). etcd: 3 members (Debian etcd-server), loopback,
# default fsync. Same Java closed-loop HTTP client for both; writes go to the Canary coordinator and
# to the etcd leader. Then 16 concurrent clients. Also the disk's fdatasync floor, in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/etcd.sh"
source "$BENCH_DIR/canary-nodes.sh"

COMMITS=${COMMITS:-1000}
ROUNDS=${ROUNDS:-2}   # A B A B: a burst of other work on the machine hits both sides
OUT="$RESULTS_DIR/commit-latency.txt"
have_tools etcd etcdctl curl || exit 0
need_jar
: >"$OUT"
{
  echo "# part 2: commit latency, $(date -u +%FT%TZ), $COMMITS measured commits per run after 100 warm-up, $ROUNDS alternating rounds; $(load_note)"
  run_logged java_bench io.canary.bench.load.FsyncProbe --dir "$BENCH_TMP/fsync" --count 500
} | tee -a "$OUT"

start_etcd_cluster
start_canary_cluster 3
sleep 2 # let heartbeats settle: every peer reachable before the first promotion

for clients in 1 16; do
  for (( round = 1; round <= ROUNDS; round++ )); do
    {
      run_logged java_bench io.canary.bench.load.CommitLoad --target canary --url "${CANARY_URLS[0]}" \
        --commits "$COMMITS" --clients "$clients" --max-seconds 120 --label "3-processes,round=$round"
      run_logged java_bench io.canary.bench.load.CommitLoad --target etcd --url "$ETCD_URL" \
        --commits "$COMMITS" --clients "$clients" --max-seconds 120 --label "3-members,round=$round"
    } | tee -a "$OUT"
  done
done

# Sanity: every Canary node ends on the same committed version.
versions=$(for u in "${CANARY_URLS[@]}"; do curl -sf "$u/routing/state" | sed -E 's/^\{"version":([0-9]+).*/\1/'; echo; done | sort -u | grep .)
echo "# canary nodes' committed versions after the run: $(echo $versions)" | tee -a "$OUT"

{
  echo
  echo "# ratios (canary / etcd; latency > 1 means Canary is slower, throughput < 1 means Canary is slower)"
  for clients in 1 16; do
    for (( round = 1; round <= ROUNDS; round++ )); do
      for k in p50_ms p99_ms p999_ms per_second; do
        c=$(result_value "$OUT" "$k" "target=canary clients=$clients .*round=$round\$")
        e=$(result_value "$OUT" "$k" "target=etcd clients=$clients .*round=$round\$")
        echo "RATIO commit clients=$clients round=$round $k canary=$c etcd=$e canary/etcd=$(ratio "$c" "$e")"
      done
    done
  done
} | tee -a "$OUT"
