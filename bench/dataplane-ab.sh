#!/usr/bin/env bash
# A/B of two builds' data plane in one run (for deciding between designs on a busy machine):
#   bench/dataplane-ab.sh OLD_JAR NEW_JAR
# One nginx (the two stubs and split_clients, as in dataplane.sh) and one node per jar, each with the
# transparent proxy and /predict over the same stubs at 90/10. Then ROUNDS rounds of
# nginx, proxy A, proxy B, /predict A, /predict B (the same wrk command as dataplane.sh, each after a
# warm-up), and the ratios per round. PROFILE=B (or A, or AB) records node B (A, both) with JFR during its
# round-PROFILE_ROUND (default 1) proxy and /predict runs and prints the hottest frames (PREDICT=0 leaves the /predict runs out). Each RESULT also gives the CPU time per request of nginx
# and of the node serving the target (bench/cpu.sh): on a busy machine a steadier A/B than requests/s.
# Results: $RESULTS_DIR/dataplane-ab.txt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/nginx.sh"
source "$BENCH_DIR/canary-nodes.sh"
source "$BENCH_DIR/cpu.sh"
OLD_JAR=${1:?usage: dataplane-ab.sh OLD_JAR NEW_JAR}
NEW_JAR=${2:?usage: dataplane-ab.sh OLD_JAR NEW_JAR}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
WRK_SECONDS=${WRK_SECONDS:-8}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
OUT="$RESULTS_DIR/dataplane-ab.txt"
have_tools wrk nginx curl || exit 0
: >"$OUT"
echo "# data plane A/B, $(date -u +%FT%TZ), A=$OLD_JAR B=$NEW_JAR, wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s; $(load_note)" | tee -a "$OUT"

run() { # NAME URL ROUND NODE_PID ("" for nginx) [PID to profile]
  local name=$1 url=$2 round=$3 node=$4 pid=${5:-} raw="$BENCH_TMP/wrk-$1-$3.txt" nginx_ticks node_ticks
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP_SECONDS}s" -s "$BENCH_DIR/predict.lua" "$url" >/dev/null
  [[ -n $pid ]] && jcmd "$pid" JFR.start name=ab settings=profile filename="$BENCH_TMP/$name.jfr" >/dev/null
  nginx_ticks=$(cpu_ticks $(nginx_pids))
  node_ticks=$(cpu_ticks $node)
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --latency -s "$BENCH_DIR/predict.lua" "$url" >"$raw"
  nginx_ticks=$(( $(cpu_ticks $(nginx_pids)) - nginx_ticks ))
  node_ticks=$(( $(cpu_ticks $node) - node_ticks ))
  if [[ -n $pid ]]; then
    jcmd "$pid" JFR.stop name=ab >/dev/null
    { echo "# JFR, $name round $round: hottest top frames"
      jfr print --events jdk.ExecutionSample "$BENCH_TMP/$name.jfr" | awk '
        /stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); top[$0]++; n++ }
        END { for (f in top) printf "%6.2f%% %s\n", 100 * top[f] / n, f; printf "%6d samples\n", n }' | sort -rn | head -30
      echo "# share of samples whose stack contains (once per family)"
      jfr print --events jdk.ExecutionSample "$BENCH_TMP/$name.jfr" | awk '
        /stackTrace = \[/ { inside = 1; delete seen; n++; next }
        inside && /^[ \t]*\]/ { inside = 0; for (k in seen) fam[k]++; next }
        inside {
          if ($0 ~ /io\.canary\./) seen["io.canary (routing, recording, proxy/predict code)"] = 1
          if ($0 ~ /HttpObjectDecoder|HttpObjectEncoder|HttpHeaders|DefaultHeaders/) seen["netty HTTP codec and headers"] = 1
          if ($0 ~ /proxy\.Wire(Decoder|Head|Heads|Fields)/) seen["canary raw HTTP/1 (WireDecoder, WireHead, WireHeads)"] = 1
          if ($0 ~ /PooledByteBufAllocator|PoolThreadCache|PoolArena|Recycler/) seen["netty pooled allocator"] = 1
          if ($0 ~ /MessageAggregator/) seen["netty aggregation (whole messages)"] = 1
          if ($0 ~ /jackson/) seen["jackson"] = 1
          if ($0 ~ /Epoll|epoll|IovArray|writev|Native\./) seen["epoll and socket syscalls"] = 1
          if ($0 ~ /jdk\.jfr|jdk\.internal\.event/) seen["JFR itself"] = 1
        }
        END { for (f in fam) printf "%6.2f%% %s\n", 100 * fam[f] / n, f }' | sort -rn
      echo "# allocation sampled by JFR (weights), top classes; bytes per request = total / requests"
      jfr print --events jdk.ObjectAllocationSample "$BENCH_TMP/$name.jfr" | awk '
        /objectClass = / { c = $3 } /weight = / { w = $3; u = $4; if (u ~ /kB/) w *= 1024; else if (u ~ /MB/) w *= 1048576; else if (u ~ /GB/) w *= 1073741824; a[c] += w; t += w }
        END { for (k in a) printf "%12.0f %s\n", a[k], k; printf "%12.0f TOTAL\n", t }' | sort -rn | head -12
    } >>"$OUT"
  fi
  echo "RESULT ab target=$name round=$round rps=$(awk '/^Requests\/sec:/ { print $2 }' "$raw") p99=$(awk '$1 == "99%" { print $2 }' "$raw") non2xx=$(awk '/Non-2xx/ { print $NF }' "$raw") nginx_cpu_us=$(us_per_request "$nginx_ticks" "$(awk '/ requests in / { print $1 }' "$raw")") node_cpu_us=$([[ -n $node ]] && us_per_request "$node_ticks" "$(awk '/ requests in / { print $1 }' "$raw")" || echo n/a) load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

start_nginx
declare -A PROXY_PORT DATA_URL NODE
for side in A B; do
  jar=$OLD_JAR; [[ $side == B ]] && jar=$NEW_JAR
  PROXY_PORT[$side]=$(free_port)
  BENCH_JAR=$jar CANARY_DATA_DIR="$BENCH_TMP/data-$side" start_canary_cluster 1 \
    --model "v1=http://127.0.0.1:$STUB_V1_PORT/" --model "v2=http://127.0.0.1:$STUB_V2_PORT/" \
    --proxy-port "${PROXY_PORT[$side]}" --upstream "v1=http://127.0.0.1:$STUB_V1_PORT" --upstream "v2=http://127.0.0.1:$STUB_V2_PORT" \
    --initial-weights v1=0.9,v2=0.1 --baseline v1
  NODE[$side]=${BENCH_PIDS[-1]}
  DATA_URL[$side]=${CANARY_URLS[-1]}
  wait_port "${PROXY_PORT[$side]}" 60
done
for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
  prof=; profA=
  [[ ${PROFILE:-} == *B* && $round == "${PROFILE_ROUND:-1}" ]] && prof=${NODE[B]}
  [[ ${PROFILE:-} == *A* && $round == "${PROFILE_ROUND:-1}" ]] && profA=${NODE[A]}
  run nginx "http://127.0.0.1:$NGINX_SPLIT_PORT/predict" "$round" ""
  run proxy-A "http://127.0.0.1:${PROXY_PORT[A]}/predict" "$round" "${NODE[A]}" "$profA"
  run proxy-B "http://127.0.0.1:${PROXY_PORT[B]}/predict" "$round" "${NODE[B]}" "$prof"
  if [[ ${PREDICT:-1} == 1 ]]; then
    run predict-A "${DATA_URL[A]}/predict" "$round" "${NODE[A]}" "$profA"
    run predict-B "${DATA_URL[B]}/predict" "$round" "${NODE[B]}" "$prof"
  fi
done
for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
  n=$(result_value "$OUT" rps "target=nginx round=$round ")
  line="RATIO ab round=$round"
  for t in proxy-A proxy-B predict-A predict-B; do
    line+=" $t/nginx=$(ratio "$(result_value "$OUT" rps "target=$t round=$round ")" "$n")"
  done
  echo "$line" | tee -a "$OUT"
done
