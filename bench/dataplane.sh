#!/usr/bin/env bash
# Part 3: the data plane under wrk. The same POST (bench/predict.lua) against:
#   stub     one nginx stub directly (the ceiling of the upstream itself),
#   nginx    nginx split_clients on $request_id, 90/10 over the two stubs,
#   proxy    Canary's transparent reverse proxy (--proxy-port), 90/10 over the same two stubs (Netty engine),
#   proxy-jetty  the same proxy on its alternative Jetty engine (-Dcanary.proxy.engine=jetty), a second node (JETTY=0 skips),
#   canary   the same node's POST /predict, 90/10 to the same stubs (JSON envelope; served on the data port's Netty front),
#   canary-javalin  the same /predict on the second node, on Javalin's own path (-Dcanary.predict.engine=javalin; JETTY=0 skips),
#   demo     one Canary node with the built-in demo model at zero latency (no upstream): its own ceiling.
# nginx, proxy and canary alternate (A B C A B C) within one run. Then the large-body runs:
# 1 MiB uploads and 1 MiB downloads through nginx and the proxy at LARGE_CONNS connections, with the
# node's resident memory and heap sampled during the run; then bench/proxy-memory.sh (memory per request
# in flight, measured directly with uploads held at a stuck upstream; MEMORY=0 skips).
# Fixed wrk threads/connections/duration; each server gets an unmeasured warm-up run first.
# The split is counted at the stubs (nginx access logs), or from the node's /metrics for demo.
# Each RESULT also gives the CPU time per request of nginx (all its workers: the stubs, and for the
# nginx target split_clients too) and of the node serving the target (node_cpu_us, n/a for nginx):
# the proxy's own cost is node_cpu_us, nginx's is its nginx_cpu_us minus a proxy run's (the stubs').
# PROFILE=1 records the node with JFR during one proxy run and prints the hottest frames.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/nginx.sh"
source "$BENCH_DIR/canary-nodes.sh"
source "$BENCH_DIR/cpu.sh"

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
WRK_SECONDS=${WRK_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
LARGE_CONNS=${LARGE_CONNS:-128}
OUT="$RESULTS_DIR/dataplane.txt"
have_tools wrk nginx curl || exit 0
need_jar
: >"$OUT"
echo "# part 3: data plane, $(date -u +%FT%TZ), wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s, $(nproc) cores shared by wrk, nginx and the node; $(load_note)" | tee -a "$OUT"

# wrk's latency with unit -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f\n", n }'
}

# wrk_run NAME URL [COUNT_CMD [ROUND [SCRIPT [CONNS]]]]: one measured run; COUNT_CMD prints "v1 v2"
# request counts so far; SCRIPT is a wrk script ("" for plain GETs), default predict.lua.
wrk_run() {
  local name=$1 url=$2 count=${3:-stub_hits} round=${4:-1} script=${5-$BENCH_DIR/predict.lua} conns=${6:-$WRK_CONNS}
  local raw="$BENCH_TMP/wrk-$1-${4:-1}.txt" s=()
  [[ -n $script ]] && s=(-s "$script")
  log "warm-up $name (${WARMUP_SECONDS}s)"
  wrk -t"$WRK_THREADS" -c"$conns" -d"${WARMUP_SECONDS}s" "${s[@]}" "$url" >/dev/null
  local before after nginx_ticks node_ticks
  before=$($count)
  nginx_ticks=$(cpu_ticks $(nginx_pids))
  node_ticks=$(cpu_ticks ${CPU_PID:-})
  [[ -n ${ON_RUN:-} ]] && $ON_RUN start
  {
    run_logged wrk -t"$WRK_THREADS" -c"$conns" -d"${WRK_SECONDS}s" --latency "${s[@]}" "$url"
  } | tee "$raw" >>"$OUT"
  [[ -n ${ON_RUN:-} ]] && $ON_RUN stop
  nginx_ticks=$(( $(cpu_ticks $(nginx_pids)) - nginx_ticks ))
  node_ticks=$(( $(cpu_ticks ${CPU_PID:-}) - node_ticks ))
  after=$($count)
  local rps p99 errors v1 v2 requests
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$raw")
  requests=$(awk '/ requests in / { print $1 }' "$raw")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$raw")")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$raw")
  v1=$(( ${after% *} - ${before% *} ))
  v2=$(( ${after#* } - ${before#* } ))
  echo "RESULT dataplane target=$name round=$round rps=$rps p99_ms=$p99 non2xx=${errors:-0} v1=$v1 v2=$v2 v2_share=$(awk -v a="$v1" -v b="$v2" 'BEGIN { if (a + b > 0) printf "%.4f", b / (a + b); else print "n/a" }') nginx_cpu_us=$(us_per_request "$nginx_ticks" "$requests") node_cpu_us=$([[ -n ${CPU_PID:-} ]] && us_per_request "$node_ticks" "$requests" || echo n/a)" | tee -a "$OUT"
}

# "v1 v2" requests a Canary node has counted, from its Prometheus /metrics.
node_counts() {
  local url=$1
  curl -sf "$url/metrics" | awk '
    /^canary_requests_total/ && /version="v1"/ { v1 += $NF }
    /^canary_requests_total/ && /version="v2"/ { v2 += $NF }
    END { printf "%d %d\n", v1, v2 }'
}

# Resident memory (kB) and heap in use (kB, from jstat: survivor + eden + old) of NODE_PID,
# sampled every 0.5 s during a run; the peaks go into MEM_LINE.
sample_memory() {
  case $1 in
    start)
      : >"$BENCH_TMP/mem.txt"
      ( while kill -0 "$NODE_PID" 2>/dev/null; do
          rss=$(awk '/VmRSS/ { print $2 }' "/proc/$NODE_PID/status" 2>/dev/null)
          heap=$(jstat -gc "$NODE_PID" 2>/dev/null | awk 'NR == 2 { printf "%d", $3 + $4 + $6 + $8 }')
          echo "$rss ${heap:-0}" >>"$BENCH_TMP/mem.txt"
          sleep 0.5
        done ) &
      MEM_SAMPLER=$! ;;
    stop)
      kill "$MEM_SAMPLER" 2>/dev/null || true; wait "$MEM_SAMPLER" 2>/dev/null || true
      MEM_LINE=$(awk '{ if ($1 > r) r = $1; if ($2 > h) h = $2 } END { printf "rss_peak_mb=%.0f heap_peak_mb=%.0f", r / 1024, h / 1024 }' "$BENCH_TMP/mem.txt") ;;
  esac
}

# JFR on NODE_PID for one run; prints the 25 hottest top frames and the share per package family.
profile_run() {
  case $1 in
    start) jcmd "$NODE_PID" JFR.start name=bench settings=profile filename="$BENCH_TMP/proxy.jfr" >/dev/null ;;
    stop)
      jcmd "$NODE_PID" JFR.stop name=bench >/dev/null
      {
        echo "# JFR execution samples of the node during the profiled proxy run: hottest top frames"
        jfr print --events jdk.ExecutionSample "$BENCH_TMP/proxy.jfr" | awk '
          /stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); top[$0]++; n++ }
          END { for (f in top) printf "%6.2f%% %s\n", 100 * top[f] / n, f }' | sort -rn | head -25
        echo "# share of samples whose stack contains (a sample counts once per family)"
        jfr print --events jdk.ExecutionSample "$BENCH_TMP/proxy.jfr" | awk '
          /stackTrace = \[/ { inside = 1; delete seen; n++; next }
          inside && /^[ \t]*\]/ { inside = 0; for (k in seen) fam[k]++; next }
          inside {
            if ($0 ~ /io\.canary\./) seen["io.canary (routing, recording, proxy hooks)"] = 1
            if ($0 ~ /org\.eclipse\.jetty\.client\./) seen["jetty client (to upstreams)"] = 1
            if ($0 ~ /org\.eclipse\.jetty\.server\./) seen["jetty server (from clients)"] = 1
            if ($0 ~ /sun\.nio\.ch\.|java\.nio\./) seen["NIO syscalls (read/write/epoll)"] = 1
            if ($0 ~ /HttpParser|HttpGenerator/) seen["HTTP parsing/generation"] = 1
          }
          END { for (f in fam) printf "%6.2f%% %s\n", 100 * fam[f] / n, f }' | sort -rn
      } | tee -a "$OUT" ;;
  esac
}

start_nginx
wrk_run stub "http://127.0.0.1:$STUB_V1_PORT/predict"
PROXY_PORT=$(free_port)
start_canary_cluster 1 --model "v1=http://127.0.0.1:$STUB_V1_PORT/" --model "v2=http://127.0.0.1:$STUB_V2_PORT/" \
  --proxy-port "$PROXY_PORT" --upstream "v1=http://127.0.0.1:$STUB_V1_PORT" --upstream "v2=http://127.0.0.1:$STUB_V2_PORT" \
  --initial-weights v1=0.9,v2=0.1 --baseline v1
NODE_PID=${BENCH_PIDS[-1]}
NODE_URL=${CANARY_URLS[0]}
wait_port "$PROXY_PORT" 30
echo "# canary node (proxy on :$PROXY_PORT and /predict): $(curl -sf "$NODE_URL/routing/state")" >>"$OUT"
if [[ ${JETTY:-1} == 1 ]]; then
  JETTY_PORT=$(free_port)
  # The alternative engines, for comparison in the same run: the Jetty proxy, and /predict on Javalin's own path.
  CANARY_DATA_DIR="$BENCH_TMP/canary-data-jetty" CANARY_JAVA_OPTS="$CANARY_JAVA_OPTS -Dcanary.proxy.engine=jetty -Dcanary.predict.engine=javalin" \
    start_canary_cluster 1 --model "v1=http://127.0.0.1:$STUB_V1_PORT/" --model "v2=http://127.0.0.1:$STUB_V2_PORT/" --proxy-port "$JETTY_PORT" \
    --upstream "v1=http://127.0.0.1:$STUB_V1_PORT" --upstream "v2=http://127.0.0.1:$STUB_V2_PORT" \
    --initial-weights v1=0.9,v2=0.1 --baseline v1
  wait_port "$JETTY_PORT" 30
  JAVALIN_URL=${CANARY_URLS[0]}
fi
# Alternate nginx, the proxy and /predict (A B C A B C) so a burst of other work on the machine hits all.
for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
  wrk_run nginx "http://127.0.0.1:$NGINX_SPLIT_PORT/predict" stub_hits "$round"
  if [[ ${PROFILE:-0} == 1 && $round == 1 ]]; then ON_RUN=profile_run; fi
  CPU_PID=$NODE_PID wrk_run proxy "http://127.0.0.1:$PROXY_PORT/predict" stub_hits "$round"
  ON_RUN=
  [[ ${JETTY:-1} == 1 ]] && wrk_run proxy-jetty "http://127.0.0.1:$JETTY_PORT/predict" stub_hits "$round"
  CPU_PID=$NODE_PID wrk_run canary "$NODE_URL/predict" stub_hits "$round"
  if [[ ${JETTY:-1} == 1 ]]; then wrk_run canary-javalin "$JAVALIN_URL/predict" stub_hits "$round"; fi
done

# Large bodies: 1 MiB up, 1 MiB down, at LARGE_CONNS connections, nginx then the proxy (-Xmx256m:
# buffering every body would not fit).
if [[ ${LARGE:-1} == 1 ]]; then
  for dir in upload download; do
    if [[ $dir == upload ]]; then script="$BENCH_DIR/upload.lua"; path=/upload; else script=""; path=/large; fi
    wrk_run "nginx-$dir" "http://127.0.0.1:$NGINX_SPLIT_PORT$path" stub_hits 1 "$script" "$LARGE_CONNS"
    ON_RUN=sample_memory
    CPU_PID=$NODE_PID wrk_run "proxy-$dir" "http://127.0.0.1:$PROXY_PORT$path" stub_hits 1 "$script" "$LARGE_CONNS"
    ON_RUN=
    echo "RESULT dataplane-memory target=proxy-$dir conns=$LARGE_CONNS body_mb=1 $MEM_LINE xmx_mb=256" | tee -a "$OUT"
  done
fi

# Where the /predict time goes: bare Javalin + JDK HttpClient to the v1 stub, completing from the
# client's future or blocking a Jetty thread. Not Canary; an experiment (EXPERIMENTS=1).
if [[ ${EXPERIMENTS:-0} == 1 ]]; then
  VARIANTS_PORT=$(free_port)
  start_bg "$BENCH_TMP/proxy-variants.out" java -Djava.net.preferIPv4Stack=true $CANARY_JAVA_OPTS -cp "$BENCH_JAR" \
    io.canary.bench.dataplane.ProxyVariants "http://127.0.0.1:$STUB_V1_PORT/" "$VARIANTS_PORT" 300 >/dev/null
  wait_port "$VARIANTS_PORT" 60
  wrk_run javalin-async "http://127.0.0.1:$VARIANTS_PORT/async"
  wrk_run javalin-blocking "http://127.0.0.1:$VARIANTS_PORT/blocking"
fi
bench_stop_all

start_canary_cluster 1 --model "v1=demo:latency=0ms,errors=0" --model "v2=demo:latency=0ms,errors=0" \
  --initial-weights v1=0.9,v2=0.1 --baseline v1
DEMO_URL=${CANARY_URLS[0]}
demo_counts() { node_counts "$DEMO_URL"; }
CPU_PID=${BENCH_PIDS[-1]} wrk_run demo "$DEMO_URL/predict" demo_counts

{
  echo
  echo "# ratios (requests/s: higher is better; p99: lower is better)"
  for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
    for k in rps p99_ms; do
      s=$(result_value "$OUT" "$k" "target=stub ")
      n=$(result_value "$OUT" "$k" "target=nginx round=$round ")
      p=$(result_value "$OUT" "$k" "target=proxy round=$round ")
      j=$(result_value "$OUT" "$k" "target=proxy-jetty round=$round ")
      c=$(result_value "$OUT" "$k" "target=canary round=$round ")
      cj=$(result_value "$OUT" "$k" "target=canary-javalin round=$round ")
      d=$(result_value "$OUT" "$k" "target=demo ")
      echo "RATIO dataplane round=$round $k stub=$s nginx=$n proxy=$p proxy-jetty=${j:-n/a} canary=$c canary-javalin=${cj:-n/a} demo=$d proxy/nginx=$(ratio "$p" "$n") proxy-jetty/nginx=$(ratio "$j" "$n") canary/nginx=$(ratio "$c" "$n") canary-javalin/nginx=$(ratio "$cj" "$n") canary/stub=$(ratio "$c" "$s") nginx/stub=$(ratio "$n" "$s") demo/nginx=$(ratio "$d" "$n")"
    done
  done
  if [[ ${LARGE:-1} == 1 ]]; then
    for dir in upload download; do
      for k in rps p99_ms; do
        n=$(result_value "$OUT" "$k" "dataplane target=nginx-$dir ")
        p=$(result_value "$OUT" "$k" "dataplane target=proxy-$dir ")
        echo "RATIO dataplane-large $dir $k nginx=$n proxy=$p proxy/nginx=$(ratio "$p" "$n")"
      done
    done
  fi
} | tee -a "$OUT"

if [[ ${MEMORY:-1} == 1 ]]; then
  bench_stop_all
  RESULTS_DIR="$RESULTS_DIR" "$BENCH_DIR/proxy-memory.sh" && grep -E '^(RESULT|held|\$)' "$RESULTS_DIR/proxy-memory.txt" >>"$OUT"
fi
