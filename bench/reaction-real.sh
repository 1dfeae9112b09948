#!/usr/bin/env bash
# Part 4b: reaction time with real processes and the wall clock. Three `canary node` JVMs proxy
# /predict to two nginx stubs; `canary load` sends 600 requests/s over the three nodes (200 per
# node, as in the virtual-time run); a rollout of v2 starts; once every node routes 25% to v2, the
# v2 stub starts failing 30% of its requests (nginx reload). Measured: wall-clock time until every
# node's /routing/state gives v2 0%. Profile "demo-fast" (2 s steps) by default; REAL_PROFILES="demo-fast defaults"
# adds the default 30 s steps (about 2 more minutes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/nginx.sh"
source "$BENCH_DIR/canary-nodes.sh"

OUT="$RESULTS_DIR/reaction-real.txt"
REAL_PROFILES=${REAL_PROFILES:-"demo-fast"}
have_tools nginx curl || exit 0
need_jar
echo "# part 4b: reaction time with 3 real node processes (wall clock), $(date -u +%FT%TZ); $(load_note)" | tee "$OUT"

# Share of v2 in a node's committed weights, e.g. 0.25.
v2_share() {
  curl -sf --max-time 2 "$1/routing/state" | grep -o '"v2":[0-9.eE-]*' | cut -d: -f2
}

all_at() {
  local want=$1 u s
  for u in "${CANARY_URLS[@]}"; do
    s=$(v2_share "$u") || return 1
    awk -v s="$s" -v w="$want" 'BEGIN { exit !(s + 0 == w + 0) }' || return 1
  done
}

now_ms() { date +%s%3N; }

for profile in $REAL_PROFILES; do
  case $profile in
    # Both profiles start at 25%: what is measured starts there, and at 30 canary requests/s (5% of
    # 600) the sequential judge needs a minute or more of a 5% step to show a healthy canary inside
    # the margins (an error rate within 0.5 points takes ~1,000 canary requests), longer than the wait.
    demo-fast) interval=2s; steps=25,50,100; reach_limit=60; react_limit=60 ;;
    defaults) interval=30s; steps=25,50,100; reach_limit=150; react_limit=150 ;;
    *) log "unknown profile $profile"; continue ;;
  esac
  start_nginx
  CANARY_DATA_DIR="$BENCH_TMP/canary-data-$profile" start_canary_cluster 3 --model "v1=http://127.0.0.1:$STUB_V1_PORT/" --model "v2=http://127.0.0.1:$STUB_V2_PORT/" \
    --initial-weights v1=1.0,v2=0.0 --baseline v1
  nodes="n1=${CANARY_URLS[0]},n2=${CANARY_URLS[1]},n3=${CANARY_URLS[2]}"
  sleep 2 # every peer reachable: a promotion needs all of them
  start_bg "$BENCH_TMP/load-$profile.out" java_bench io.canary.launcher.CanaryCli load --rps 600 \
    --duration "$(( reach_limit + react_limit + 30 ))s" --nodes "$nodes" --quiet >/dev/null
  sleep 3 # some traffic in every window before the first analysis
  {
    run_logged java_bench io.canary.launcher.CanaryCli rollout start --canary v2 --interval "$interval" --steps "$steps" --nodes "$nodes"
  } >>"$OUT" 2>&1
  t=$(now_ms)
  until all_at 0.25; do
    if (( $(now_ms) - t > reach_limit * 1000 )); then echo "RESULT reaction-real profile=$profile error=never-reached-25%" | tee -a "$OUT"; break; fi
    sleep 0.05
  done
  if all_at 0.25; then
    stub_v2_fail
    t0=$(now_ms)
    until all_at 0; do
      if (( $(now_ms) - t0 > react_limit * 1000 )); then break; fi
      sleep 0.02
    done
    t1=$(now_ms)
    reached=false; all_at 0 && reached=true
    state=$(curl -sf "${CANARY_URLS[0]}/routing/state" | grep -o '"phase":"[A-Z_]*"' | head -1)
    echo "RESULT reaction-real profile=$profile interval=$interval reached_zero=$reached seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }') $state rps=600 nodes=3" | tee -a "$OUT"
    java_bench io.canary.launcher.CanaryCli rollout status --nodes "$nodes" >>"$OUT" 2>&1 || true
  fi
  bench_stop_all
done
