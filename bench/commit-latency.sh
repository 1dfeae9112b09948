#!/usr/bin/env bash
# Part 2: weight-change commit latency. Canary: 3 `canary node` processes (separate JVMs; two such clusters,
# default JIT and C1 only, see below) over
# loopback TCP, fsync on (the default state log). etcd: 3 members (Debian etcd-server), loopback,
# default fsync. Same Java closed-loop HTTP client for both; writes go to the Canary coordinator and
# to the etcd leader. Then 16 concurrent clients. Also the disk's fdatasync floor, in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/etcd.sh"
source "$BENCH_DIR/canary-nodes.sh"

COMMITS=${COMMITS:-1000}
ROUNDS=${ROUNDS:-2}   # A B A B: a burst of other work on the machine hits both sides
# Unmeasured writes to each side before the first round (WARMUP_SEQ below, then the rounds' own 100-write warm-up):
# the node JVMs compile their hot paths for the first few thousand commits (C2 took as much CPU as the
# nodes' own threads in a JFR of 1,100 commits), which a long-running node pays once; etcd gets the same.
WARMUP_COMMITS=${WARMUP_COMMITS:-4000}
WARMUP_SEQ=${WARMUP_SEQ:-"16:$WARMUP_COMMITS 1:$(( WARMUP_COMMITS / 2 )) 16:$(( WARMUP_COMMITS / 2 )) 1:$(( WARMUP_COMMITS / 2 ))"}
OUT="$RESULTS_DIR/commit-latency.txt"
have_tools etcd etcdctl curl || exit 0
need_jar
: >"$OUT"
{
  echo "# part 2: commit latency, $(date -u +%FT%TZ), unmeasured writes per side first ($WARMUP_SEQ, clients:writes), then $COMMITS measured commits per run after 100 warm-up, $ROUNDS alternating rounds; $(load_note)"
  run_logged java_bench io.canary.bench.load.FsyncProbe --dir "$BENCH_TMP/fsync" --count 500
} | tee -a "$OUT"

start_etcd_cluster
# Two Canary clusters of 3 node processes, side by side with etcd in every round (A B C A B C): the JVM's
# default JIT, and C1 only (-XX:TieredStopAtLevel=1, README "Running a node"): on this 2-core machine the
# default JIT's C2 compiler spent ~2 min of CPU in the coordinator's JVM over a 2-minute run (JFR,
# BENCHMARKS part 2), more than the node's own threads. CANARY_JITS picks which (default "c1 default").
CANARY_JITS=${CANARY_JITS:-"c1 default"}
declare -A CANARY_URL CLUSTER_URLS CLUSTER_PIDS
for jit in $CANARY_JITS; do
  opts="$CANARY_JAVA_OPTS"
  [[ $jit == c1 ]] && opts="$opts -XX:TieredStopAtLevel=1"
  CANARY_JAVA_OPTS="$opts" CANARY_DATA_DIR="$BENCH_TMP/canary-data-$jit" start_canary_cluster 3
  CANARY_URL[$jit]="${CANARY_URLS[0]}"
  CLUSTER_URLS[$jit]="${CANARY_URLS[*]}"
  CLUSTER_PIDS[$jit]="${CANARY_PIDS[*]}"
  sleep 2 # let heartbeats settle: every peer reachable before the first promotion
done

# The warm-up alternates 16 clients and 1 client (WARMUP_SEQ, "clients:writes ..."): a node warmed with 16 clients
# only still deoptimized and recompiled its protocol path when the 1-client rounds began (JFR: 40 unstable_if traps,
# C2 recompiling methods of 45-50 KB for 1-1.5 s each), and its C2 threads took 58% of the nodes' CPU during the
# measured commits (BENCHMARKS §5f). After both modes the JIT is quiet (the '# cpu' lines say how quiet).
if (( WARMUP_COMMITS > 0 )); then
  log "warm-up: $WARMUP_SEQ (clients:writes) unmeasured, to each side"
  for phase in $WARMUP_SEQ; do
    wc=${phase%%:*}
    wn=${phase##*:}
    {
      for jit in $CANARY_JITS; do
        # shellcheck disable=SC2086
        read -r cpu0 jit0 < <(cpu_ms ${CLUSTER_PIDS[$jit]})
        java_bench io.canary.bench.load.CommitLoad --target canary --url "${CANARY_URL[$jit]}" --commits "$wn" \
          --clients "$wc" --max-seconds 120 --label "warm-up,jit=$jit"
        # shellcheck disable=SC2086
        read -r cpu1 jit1 < <(cpu_ms ${CLUSTER_PIDS[$jit]})
        echo "# cpu warm-up jit=$jit clients=$wc node_jvms_ms=$(( cpu1 - cpu0 )) compiler_threads_ms=$(( jit1 - jit0 )) commits=$wn"
      done
      java_bench io.canary.bench.load.CommitLoad --target etcd --url "$ETCD_URL" --commits "$wn" \
        --clients "$wc" --max-seconds 120 --label warm-up
    } | sed 's/^RESULT/# warm-up/' | tee -a "$OUT"
  done
fi

for clients in 1 16; do
  for (( round = 1; round <= ROUNDS; round++ )); do
    {
      for jit in $CANARY_JITS; do
        # shellcheck disable=SC2086
        read -r cpu0 jit0 < <(cpu_ms ${CLUSTER_PIDS[$jit]})
        run_logged java_bench io.canary.bench.load.CommitLoad --target canary --url "${CANARY_URL[$jit]}" \
          --commits "$COMMITS" --clients "$clients" --max-seconds 120 --label "3-processes,jit=$jit,round=$round"
        # shellcheck disable=SC2086
        read -r cpu1 jit1 < <(cpu_ms ${CLUSTER_PIDS[$jit]})
        # What the 3 node JVMs burnt meanwhile, and how much of it was their JIT compiling (C2 still at work?).
        echo "# cpu jit=$jit clients=$clients round=$round node_jvms_ms=$(( cpu1 - cpu0 )) compiler_threads_ms=$(( jit1 - jit0 )) commits=$COMMITS"
      done
      run_logged java_bench io.canary.bench.load.CommitLoad --target etcd --url "$ETCD_URL" \
        --commits "$COMMITS" --clients "$clients" --max-seconds 120 --label "3-members,round=$round"
    } | tee -a "$OUT"
  done
done

# Sanity: every Canary node of a cluster ends on the same committed version.
for jit in $CANARY_JITS; do
  # shellcheck disable=SC2086
  versions=$(for u in ${CLUSTER_URLS[$jit]}; do curl -sf "$u/routing/state" | sed -E 's/^\{"version":([0-9]+).*/\1/'; echo; done | sort -u | grep .)
  echo "# canary nodes' (jit=$jit) committed versions after the run: $(echo $versions)" | tee -a "$OUT"
done

{
  echo
  echo "# ratios (canary / etcd; latency > 1 means Canary is slower, throughput < 1 means Canary is slower)"
  for jit in $CANARY_JITS; do
    for clients in 1 16; do
      for (( round = 1; round <= ROUNDS; round++ )); do
        for k in p50_ms p99_ms p999_ms per_second; do
          c=$(result_value "$OUT" "$k" "target=canary clients=$clients .*jit=$jit,round=$round\$")
          e=$(result_value "$OUT" "$k" "target=etcd clients=$clients .*round=$round\$")
          echo "RATIO commit jit=$jit clients=$clients round=$round $k canary=$c etcd=$e canary/etcd=$(ratio "$c" "$e")"
        done
      done
    done
  done
} | tee -a "$OUT"
