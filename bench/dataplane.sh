#!/usr/bin/env bash
# Part 3: the data plane under wrk. The same POST /predict (bench/predict.lua) against:
#   stub     one nginx stub directly (the ceiling of the upstream itself),
#   nginx    nginx split_clients on $request_id, 90/10 over the two stubs,
#   canary   one Canary node proxying /predict to the two stubs at 90/10,
#   demo     one Canary node with the built-in demo model at zero latency (no upstream): its own ceiling.
# Fixed wrk threads/connections/duration; each server gets an unmeasured warm-up run first.
# The split is counted at the stubs (nginx access logs), or from the node's /metrics for demo.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/nginx.sh"
source "$BENCH_DIR/canary-nodes.sh"

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
WRK_SECONDS=${WRK_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
OUT="$RESULTS_DIR/dataplane.txt"
have_tools wrk nginx curl || exit 0
need_jar
: >"$OUT"
echo "# part 3: data plane, $(date -u +%FT%TZ), wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s, $(nproc) cores shared by wrk, nginx and the node; $(load_note)" | tee -a "$OUT"

# wrk's latency with unit -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f\n", n }'
}

# wrk_run NAME URL [COUNT_CMD [ROUND]]: one measured run; COUNT_CMD prints "v1 v2" request counts so far.
wrk_run() {
  local name=$1 url=$2 count=${3:-stub_hits} round=${4:-1} raw="$BENCH_TMP/wrk-$1-${4:-1}.txt"
  log "warm-up $name (${WARMUP_SECONDS}s)"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP_SECONDS}s" -s "$BENCH_DIR/predict.lua" "$url" >/dev/null
  local before after
  before=$($count)
  {
    run_logged wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --latency -s "$BENCH_DIR/predict.lua" "$url"
  } | tee "$raw" >>"$OUT"
  after=$($count)
  local rps p99 errors v1 v2
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$raw")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$raw")")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$raw")
  v1=$(( ${after% *} - ${before% *} ))
  v2=$(( ${after#* } - ${before#* } ))
  echo "RESULT dataplane target=$name round=$round rps=$rps p99_ms=$p99 non2xx=${errors:-0} v1=$v1 v2=$v2 v2_share=$(awk -v a="$v1" -v b="$v2" 'BEGIN { if (a + b > 0) printf "%.4f", b / (a + b); else print "n/a" }')" | tee -a "$OUT"
}

# "v1 v2" requests a Canary node has counted, from its Prometheus /metrics.
node_counts() {
  local url=$1
  curl -sf "$url/metrics" | awk '
    /^canary_requests_total/ && /version="v1"/ { v1 += $NF }
    /^canary_requests_total/ && /version="v2"/ { v2 += $NF }
    END { printf "%d %d\n", v1, v2 }'
}

start_nginx
wrk_run stub "http://127.0.0.1:$STUB_V1_PORT/predict"
start_canary_cluster 1 --model "v1=http://127.0.0.1:$STUB_V1_PORT/" --model "v2=http://127.0.0.1:$STUB_V2_PORT/" \
  --initial-weights v1=0.9,v2=0.1 --baseline v1
echo "# canary proxy node: $(curl -sf "${CANARY_URLS[0]}/routing/state")" >>"$OUT"
# Alternate nginx and Canary (A B A B) so a burst of other work on the machine hits both sides.
for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
  wrk_run nginx "http://127.0.0.1:$NGINX_SPLIT_PORT/predict" stub_hits "$round"
  wrk_run canary "${CANARY_URLS[0]}/predict" stub_hits "$round"
done

# Where the proxy time goes: bare Javalin + JDK HttpClient to the v1 stub, completing from the
# client's future (as /predict does) or blocking a Jetty thread. Not Canary; an experiment.
PROXY_PORT=$(free_port)
start_bg "$BENCH_TMP/proxy-variants.out" java -Djava.net.preferIPv4Stack=true $CANARY_JAVA_OPTS -cp "$BENCH_JAR" \
  io.canary.bench.dataplane.ProxyVariants "http://127.0.0.1:$STUB_V1_PORT/" "$PROXY_PORT" 300 >/dev/null
wait_port "$PROXY_PORT" 60
wrk_run javalin-async "http://127.0.0.1:$PROXY_PORT/async"
wrk_run javalin-blocking "http://127.0.0.1:$PROXY_PORT/blocking"
bench_stop_all

start_canary_cluster 1 --model "v1=demo:latency=0ms,errors=0" --model "v2=demo:latency=0ms,errors=0" \
  --initial-weights v1=0.9,v2=0.1 --baseline v1
DEMO_URL=${CANARY_URLS[0]}
demo_counts() { node_counts "$DEMO_URL"; }
wrk_run demo "$DEMO_URL/predict" demo_counts

{
  echo
  echo "# ratios (requests/s: higher is better; p99: lower is better)"
  for (( round = 1; round <= ${ROUNDS:-2}; round++ )); do
    for k in rps p99_ms; do
      s=$(result_value "$OUT" "$k" "target=stub ")
      n=$(result_value "$OUT" "$k" "target=nginx round=$round ")
      c=$(result_value "$OUT" "$k" "target=canary round=$round ")
      d=$(result_value "$OUT" "$k" "target=demo ")
      echo "RATIO dataplane round=$round $k stub=$s nginx=$n canary=$c demo=$d canary/nginx=$(ratio "$c" "$n") canary/stub=$(ratio "$c" "$s") nginx/stub=$(ratio "$n" "$s") demo/nginx=$(ratio "$d" "$n")"
    done
  done
} | tee -a "$OUT"
