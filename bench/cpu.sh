#!/usr/bin/env bash
# CPU time per request of the processes behind a run, from /proc: a figure that other work on a
# shared machine skews far less than requests/s (which is what the cores left over allow). Source
# after lib.sh and nginx.sh.

# cpu_ticks PID...: user + system time of the processes so far, in clock ticks, summed.
cpu_ticks() {
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || v=0
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
}

# nginx_pids: the master start_nginx started and its workers (the stubs and split_clients share them).
nginx_pids() {
  local m
  m=$(cat "$BENCH_TMP/nginx/nginx.pid" 2>/dev/null) || return 0
  echo "$m $(pgrep -P "$m" | tr '\n' ' ')"
}

# us_per_request TICKS REQUESTS: microseconds of CPU per request, or n/a.
us_per_request() {
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n + 0 > 0) printf "%.1f\n", t * 1e6 / hz / n; else print "n/a" }'
}
