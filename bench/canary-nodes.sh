#!/usr/bin/env bash
# Starts Canary nodes as separate `canary node` JVM processes on loopback. Source after lib.sh.

CANARY_JAVA_OPTS=${CANARY_JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseG1GC"}

# start_canary_cluster N [extra node options...]: nodes n1..nN, n1 the coordinator, fresh data dirs
# (CANARY_DATA_DIR overrides where, for a second cluster in the same run).
# Sets CANARY_URLS (data-plane base URLs, coordinator first), CANARY_DATA_PORTS and CANARY_PIDS (the node JVMs).
start_canary_cluster() {
  local n=$1; shift
  local peers="" i control=() data=()
  for (( i = 1; i <= n; i++ )); do
    control[$i]=$(free_port)
    data[$i]=$(free_port)
    peers+="${peers:+,}n$i=127.0.0.1:${control[$i]}"
  done
  CANARY_URLS=()
  CANARY_DATA_PORTS=()
  CANARY_PIDS=()
  for (( i = 1; i <= n; i++ )); do
    # shellcheck disable=SC2086
    start_bg "$BENCH_TMP/canary-n$i.out" java $CANARY_JAVA_OPTS -Djava.net.preferIPv4Stack=true \
      -cp "$BENCH_JAR" io.canary.launcher.CanaryCli node --id "n$i" --peers "$peers" --coordinator n1 --bind 127.0.0.1 \
      --data-port "${data[$i]}" --data-dir "${CANARY_DATA_DIR:-$BENCH_TMP/canary-data}" "$@" >/dev/null
    CANARY_PIDS+=("${BENCH_PIDS[-1]}")
    CANARY_URLS+=("http://127.0.0.1:${data[$i]}")
    CANARY_DATA_PORTS+=("${data[$i]}")
  done
  for (( i = 1; i <= n; i++ )); do
    wait_port "${data[$i]}" 60 || { tail -5 "$BENCH_TMP/canary-n$i.out" >&2; return 1; }
  done
  # Ready = every node reports the same committed version and is synced.
  local tries
  for tries in $(seq 1 150); do
    if curl -sf "${CANARY_URLS[0]}/cluster" 2>/dev/null | grep -q . ; then
      log "canary cluster up: ${CANARY_URLS[*]} (logs in $BENCH_TMP)"
      return 0
    fi
    sleep 0.2
  done
  log "canary cluster did not answer /cluster"; return 1
}

# cpu_ms PID... -> "<all threads> <JIT compiler threads>": CPU milliseconds used so far by these JVMs (Linux /proc,
# user + system), in total and by their C1/C2 compiler threads alone (BENCHMARKS §5f: what C2 costs during a run).
cpu_ms() {
  local pid total=0 jit=0 task t
  for pid in "$@"; do
    t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) && total=$(( total + t ))
    for task in /proc/"$pid"/task/*; do
      if grep -q CompilerThre "$task/comm" 2>/dev/null; then
        t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$task/stat" 2>/dev/null) && jit=$(( jit + t ))
      fi
    done
  done
  echo "$(( total * 10 )) $(( jit * 10 ))"
}
