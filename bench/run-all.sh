#!/usr/bin/env bash
# Runs every Canary benchmark (bench/*.sh) in one go, in well under 15 minutes on a 2-core machine,
# and leaves the raw output in bench/results/. Installs its tools from Debian packages when run as
# root; otherwise the parts that need a missing tool say so and are skipped.
#
#   bench/run-all.sh                 # everything
#   PARTS="hotpath commit" bench/run-all.sh
#   SCALE_100=0 bench/run-all.sh     # skip the 100-node cluster (about 3 minutes of a saturated machine)
#
# Everything listens on 127.0.0.1 only; every load is bounded in count and time.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

PARTS=${PARTS:-"hotpath commit dataplane reaction scale"}
START=$(date +%s)

install_tools() {
  local missing=() t
  for t in wrk nginx etcd etcdctl curl ss; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  (( ${#missing[@]} == 0 )) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "not root: cannot install ${missing[*]}; the parts that need them will be skipped"
    log "  (as root: apt-get update && apt-get install -y wrk nginx etcd-server etcd-client curl iproute2)"
    return 0
  fi
  log "installing from Debian packages: wrk nginx etcd-server etcd-client curl iproute2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx etcd-server etcd-client curl iproute2 \
    >"$BENCH_TMP/apt.log" 2>&1 || { log "apt-get install failed:"; tail -5 "$BENCH_TMP/apt.log" >&2; }
}

machine() {
  echo "# machine, $(date -u +%FT%TZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "ram: $(awk '/^MemTotal/ { printf "%.1f GiB\n", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "disk (data dirs in /tmp): $(df -h /tmp | awk 'NR == 2 { print $1, $2 }') $(findmnt -no FSTYPE,OPTIONS --target /tmp 2>/dev/null | cut -c1-60)"
  command -v etcd >/dev/null && echo "etcd: $(etcd --version | head -1)"
  command -v nginx >/dev/null && echo "nginx: $(nginx -v 2>&1)"
  command -v wrk >/dev/null && echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "git: $(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null)"
  echo "$(load_note)"
}

install_tools
log "building canary-bench (mvn -Pbench package)"
(cd "$REPO_DIR" && mvn -B -q -Pbench package -DskipTests -pl canary-bench -am) || { log "build failed"; exit 1; }
machine | tee "$RESULTS_DIR/machine.txt"

status=0
for part in $PARTS; do
  case $part in
    hotpath) script=hotpath.sh ;;
    commit) script=commit-latency.sh ;;
    dataplane) script=dataplane.sh ;;
    reaction) script=reaction.sh ;;
    scale) script=scale.sh ;;
    *) log "unknown part $part"; status=1; continue ;;
  esac
  t0=$(date +%s)
  log "=== $part ($script)"
  if ! "$BENCH_DIR/$script"; then
    log "=== $part FAILED"
    status=1
  fi
  log "=== $part took $(( $(date +%s) - t0 ))s"
done

write_summary "total $(( $(date +%s) - START ))s"
log "done in $(( $(date +%s) - START ))s; results in $RESULTS_DIR (summary.txt)"
exit $status
