#!/usr/bin/env bash
# Starts a 3-member etcd cluster on loopback (data in a temp dir, default fsync). Source after lib.sh.
# Sets ETCD_URL (the leader's client URL) and ETCD_URLS (all three, comma-separated).

start_etcd_cluster() {
  local names=(e1 e2 e3) client=() peer=() i cluster=""
  for i in 0 1 2; do
    client[$i]=$(free_port)
    peer[$i]=$(free_port)
    cluster+="${cluster:+,}${names[$i]}=http://127.0.0.1:${peer[$i]}"
  done
  for i in 0 1 2; do
    start_bg "$BENCH_TMP/etcd-${names[$i]}.out" etcd --name "${names[$i]}" \
      --data-dir "$BENCH_TMP/etcd-${names[$i]}" \
      --listen-client-urls "http://127.0.0.1:${client[$i]}" \
      --advertise-client-urls "http://127.0.0.1:${client[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${peer[$i]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${peer[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-token canary-bench \
      --initial-cluster-state new --log-level warn >/dev/null
  done
  ETCD_URL="http://127.0.0.1:${client[0]}"
  ETCD_URLS="http://127.0.0.1:${client[0]},http://127.0.0.1:${client[1]},http://127.0.0.1:${client[2]}"
  for i in 0 1 2; do wait_port "${client[$i]}" 30 || return 1; done
  local tries
  for tries in $(seq 1 100); do
    if ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URLS" endpoint health >/dev/null 2>&1; then
      # Clients write through the leader, as Canary's clients write through the coordinator.
      local leader
      leader=$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URLS" endpoint status -w simple 2>/dev/null \
        | awk -F', ' '$5 == "true" { print $1 }' | head -1)
      ETCD_URL="${leader:-$ETCD_URL}"
      log "etcd cluster up: $ETCD_URLS (data in $BENCH_TMP, etcd $(etcd --version | head -1 | awk '{print $3}'))"
      return 0
    fi
    sleep 0.2
  done
  log "etcd cluster did not become healthy"; return 1
}
