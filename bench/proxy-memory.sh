#!/usr/bin/env bash
# Memory per request in flight through the transparent proxy, measured directly: MEM_N (default 200)
# concurrent 1 MiB uploads held open at an upstream that accepts connections and never reads
# (bench/held_uploads.py), so every request stays in flight with its body partly read. For each engine
# (netty, the default, and jetty) on a fresh node: heap in use after a full GC (jcmd GC.run, then
# jstat), the JVM's native "Other" memory (NMT: where Netty's and NIO's direct buffers live) and the
# RSS, before and while the uploads are held; the difference divided by MEM_N is the figure. The
# kernel's TCP buffers (/proc/net/sockstat, the whole machine) hold whatever the proxy did not read:
# with MEM_BODY_MB=1 they take each body whole; MEM_BODY_MB=16 shows the proxy's share stays flat.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/canary-nodes.sh"

MEM_N=${MEM_N:-200}
MEM_BODY_MB=${MEM_BODY_MB:-1}
BODY=$((MEM_BODY_MB * 1024 * 1024))
OUT="$RESULTS_DIR/proxy-memory.txt"
have_tools curl jcmd jstat python3 || exit 0
need_jar
: >"$OUT"
echo "# proxy memory per request in flight, $(date -u +%FT%TZ), $MEM_N x $MEM_BODY_MB MiB uploads held at a stuck upstream; $(load_note)" | tee -a "$OUT"

SINK_PORT=$(free_port)
start_bg "$BENCH_TMP/sink.out" python3 "$BENCH_DIR/held_uploads.py" sink "$SINK_PORT" >/dev/null
wait_port "$SINK_PORT" 10

# "heap_kb other_kb rss_kb tcp_kb" of NODE_PID after a full GC (tcp_kb: the kernel's TCP buffers, machine-wide).
measure() {
  jcmd "$NODE_PID" GC.run >/dev/null
  sleep 1
  local heap other rss
  heap=$(jstat -gc "$NODE_PID" | awk 'NR == 2 { printf "%d", $3 + $4 + $6 + $8 }')
  other=$(jcmd "$NODE_PID" VM.native_memory summary | awk '/^-  *Other/ { for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) { sub("committed=", "", $i); sub("KB\\)?", "", $i); print $i; exit } }')
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$NODE_PID/status")
  tcp=$(awk '$1 == "TCP:" { for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1) * 4 }' /proc/net/sockstat)
  echo "$heap ${other:-0} $rss ${tcp:-0}"
}

for engine in netty jetty; do
  PROXY_PORT=$(free_port)
  CANARY_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseG1GC -XX:NativeMemoryTracking=summary -Dcanary.proxy.engine=$engine" \
    start_canary_cluster 1 --model "v1=demo" --proxy-port "$PROXY_PORT" --upstream "v1=http://127.0.0.1:$SINK_PORT" \
    --upstream-timeout 120s --client-timeout 120s --initial-weights v1=1.0 --baseline v1
  NODE_PID=${BENCH_PIDS[-1]}
  wait_port "$PROXY_PORT" 30
  # Warm the engine's pools with a few requests held briefly, then measure the idle baseline.
  python3 "$BENCH_DIR/held_uploads.py" upload "$PROXY_PORT" 8 "$BODY" 1 >/dev/null
  sleep 1
  read -r h0 o0 r0 t0 < <(measure)
  echo "\$ python3 bench/held_uploads.py upload $PROXY_PORT $MEM_N $BODY 20   # engine=$engine" | tee -a "$OUT"
  python3 "$BENCH_DIR/held_uploads.py" upload "$PROXY_PORT" "$MEM_N" "$BODY" 20 >"$BENCH_TMP/held.txt" &
  UP=$!
  for _ in $(seq 1 120); do grep -q held "$BENCH_TMP/held.txt" && break; sleep 0.5; done
  cat "$BENCH_TMP/held.txt" | tee -a "$OUT"
  read -r h1 o1 r1 t1 < <(measure)
  inflight=$(ss -Htn state established "dport = :$SINK_PORT" | wc -l)
  wait "$UP" || true
  echo "RESULT proxy-memory engine=$engine held=$MEM_N upstream_conns=$inflight heap_kb_before=$h0 heap_kb_held=$h1 other_kb_before=$o0 other_kb_held=$o1 rss_kb_before=$r0 rss_kb_held=$r1 heap_kb_per_request=$(awk -v a="$h1" -v b="$h0" -v n="$MEM_N" 'BEGIN { printf "%.1f", (a - b) / n }') native_kb_per_request=$(awk -v a="$o1" -v b="$o0" -v n="$MEM_N" 'BEGIN { printf "%.1f", (a - b) / n }') rss_kb_per_request=$(awk -v a="$r1" -v b="$r0" -v n="$MEM_N" 'BEGIN { printf "%.1f", (a - b) / n }') body_mb=$MEM_BODY_MB kernel_tcp_kb_per_request=$(awk -v a="$t1" -v b="$t0" -v n="$MEM_N" 'BEGIN { printf "%.1f", (a - b) / n }')" | tee -a "$OUT"
  stop_pid "$NODE_PID"
done
