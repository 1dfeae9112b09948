#!/usr/bin/env bash
# The transparent proxy in front of two real model servers (Flask), on this machine:
#   v1 on 127.0.0.1:8001, v2 on 127.0.0.1:8002, one Canary node proxying 127.0.0.1:8080 at 90/10.
# Sends traffic through the proxy, shows the split, a pinned tester, and the node's health per version.
# Installs python3-flask from Debian when it is missing and this runs as root. Stops everything on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROXY_PORT=${PROXY_PORT:-8080}
V1_PORT=${V1_PORT:-8001}
V2_PORT=${V2_PORT:-8002}
DATA_PORT=${DATA_PORT:-50051}
WORK=$(mktemp -d /tmp/canary-proxy-example.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if ! python3 -c 'import flask' 2>/dev/null; then
  if [[ $(id -u) == 0 ]]; then apt-get install -y -q python3-flask >/dev/null; else
    echo "python3-flask is missing: apt-get install python3-flask (or pip install flask)" >&2; exit 3; fi
fi
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing on :$1" >&2; return 1; }

python3 examples/proxy/model_server.py --version v1 --port "$V1_PORT" >"$WORK/v1.log" 2>&1 & PIDS+=($!)
python3 examples/proxy/model_server.py --version v2 --port "$V2_PORT" >"$WORK/v2.log" 2>&1 & PIDS+=($!)
wait_port "$V1_PORT"; wait_port "$V2_PORT"

./canary --help >/dev/null # builds the launcher first if needed (a first build takes a minute or two)
./canary node --id node-a --peers "node-a=127.0.0.1:60001" --bind 127.0.0.1 --data-port "$DATA_PORT" --data-dir "$WORK/logs" \
  --proxy-port "$PROXY_PORT" --upstream "v1=http://127.0.0.1:$V1_PORT" --upstream "v2=http://127.0.0.1:$V2_PORT" \
  --initial-weights v1=0.9,v2=0.1 --baseline v1 >"$WORK/node.log" 2>&1 & PIDS+=($!)
wait_port "$PROXY_PORT"
for _ in $(seq 1 50); do grep -q 'Proxy on' "$WORK/node.log" && break; sleep 0.1; done
grep -E 'Proxy on|Data plane on' "$WORK/node.log"

echo "--- one request through the proxy (the application's own path and JSON, no envelope):"
curl -s -i "http://127.0.0.1:$PROXY_PORT/predict" -H 'Content-Type: application/json' -d '{"features":[1.0,0.5,2.0]}' \
  | grep -iE '^(HTTP|x-canary-version|content-type)|score'
echo "--- 500 requests at random: the split follows the weights (90/10)"
for i in $(seq 1 500); do
  curl -s -o /dev/null -D - "http://127.0.0.1:$PROXY_PORT/predict" -d '{"features":[1,2,3]}' -H 'Content-Type: application/json' \
    | awk -F': ' 'tolower($1) == "x-canary-version" { print $2 }' | tr -d '\r'
done | sort | uniq -c
echo "--- a sticky user stays on one version; a tester pins v2 with a header"
for i in 1 2 3; do curl -s -o /dev/null -w '%header{x-canary-version} ' "http://127.0.0.1:$PROXY_PORT/predict" -H 'X-Canary-Key: user-42' -d '{}'; done; echo
curl -s -o /dev/null -w 'pinned: %header{x-canary-version}\n' "http://127.0.0.1:$PROXY_PORT/predict" -H 'X-Canary-Version: v2' -d '{}'
echo "--- the node's health per version, measured on the proxied traffic (pinned requests excluded):"
sleep 1
curl -s "http://127.0.0.1:$DATA_PORT/health"; echo
