#!/usr/bin/env bash
# Shared helpers for the benchmark scripts. Source it; do not run it.
# Everything listens on 127.0.0.1 only; every process started here is killed on exit.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results}"
BENCH_JAR="${BENCH_JAR:-$REPO_DIR/canary-bench/target/canary-bench.jar}"
mkdir -p "$RESULTS_DIR"

BENCH_PIDS=()
BENCH_TMP="$(mktemp -d /tmp/canary-bench.XXXXXX)"

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    # Give JVMs their shutdown hooks, then insist.
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
  rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Prints the command (so every figure comes with what reproduces it), then runs it.
run_logged() {
  printf '$ %s\n' "$*"
  "$@"
}

# A free TCP port on 127.0.0.1 below the kernel's ephemeral range (so tests using port 0 elsewhere
# on this machine cannot take it between our check and our bind).
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 12000 ))
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
      # Not handed out twice by this script either.
      if [[ " ${BENCH_PORTS:-} " != *" $p "* ]]; then
        BENCH_PORTS="${BENCH_PORTS:-} $p"
        echo "$p"
        return
      fi
    fi
  done
}

# Waits until 127.0.0.1:$1 accepts connections, at most $2 seconds (default 30).
wait_port() {
  local port=$1 limit=${2:-30} i
  for (( i = 0; i < limit * 10; i++ )); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on 127.0.0.1:$port after ${limit}s"
  return 1
}

# Starts a background process with its output in $1, remembering its pid for cleanup.
start_bg() {
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  BENCH_PIDS+=("$!")
  echo "$!"
}

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# True if every named command exists; otherwise says which are missing.
have_tools() {
  local missing=() t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if (( ${#missing[@]} )); then
    log "SKIPPED: missing ${missing[*]} (bench/run-all.sh installs them as root: apt-get install -y wrk nginx etcd-server etcd-client)"
    return 1
  fi
}

need_jar() {
  if [[ ! -f "$BENCH_JAR" ]]; then
    log "building $BENCH_JAR"
    (cd "$REPO_DIR" && mvn -B -q -Pbench package -DskipTests -pl canary-bench -am) || return 1
  fi
}

# The value of key $2 in the RESULT line(s) of file $1 matching grep pattern $3 (default: any).
result_value() {
  local file=$1 key=$2 pattern=${3:-RESULT}
  grep -E '^RESULT' "$file" | grep -E -- "$pattern" | tail -1 | tr ' ' '\n' | awk -F= -v k="$key" '$1 == k { print $2 }'
  return 0  # no such result (a skipped target) is an empty value, not a failure under set -e -o pipefail
}

# $1 / $2 with two decimals, or "n/a".
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

java_bench() {
  java -Djava.net.preferIPv4Stack=true -cp "$BENCH_JAR" "$@"
}

# Stops every process started so far (the temp dir stays until exit).
bench_stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  BENCH_PIDS=()
}

# The machine's load, for every results file: other work on these 2 cores skews every figure.
load_note() {
  echo "load average (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Collects every RESULT and RATIO line of the parts into results/summary.txt.
write_summary() {
  {
    echo "# summary, $(date -u +%FT%TZ), ${1:-}; $(load_note)"
    local f
    for f in machine hotpath commit-latency dataplane reaction reaction-real reaction-real-defaults scale scale-100-defaults; do
      [[ -f "$RESULTS_DIR/$f.txt" ]] && grep -E '^(RESULT|RATIO|# part|nproc|cpu|ram|java)' "$RESULTS_DIR/$f.txt"
    done
  } >"$RESULTS_DIR/summary.txt"
}
