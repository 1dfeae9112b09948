#!/usr/bin/env bash
# One nginx (Debian package) on loopback: two upstream stubs (v1, v2) that answer 200 with a small
# JSON body and log one line per request (the split is counted there), and a proxy that splits
# 90/10 with split_clients on $request_id, keeping connections to the stubs alive. Source after lib.sh.
# Sets STUB_V1_PORT, STUB_V2_PORT, NGINX_SPLIT_PORT, STUB_V1_LOG, STUB_V2_LOG.

start_nginx() {
  STUB_V1_PORT=$(free_port)
  STUB_V2_PORT=$(free_port)
  NGINX_SPLIT_PORT=$(free_port)
  local dir="$BENCH_TMP/nginx"
  mkdir -p "$dir/tmp"
  chmod 777 "$dir/tmp"
  STUB_V1_LOG="$dir/stub-v1.log"
  STUB_V2_LOG="$dir/stub-v2.log"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes ${NGINX_WORKERS:-2};
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  log_format hit '\$server_port';
  keepalive_requests 1000000;

  # The upstream stubs: what a model server would be, minus the model.
  server {
    listen 127.0.0.1:$STUB_V1_PORT;
    access_log $STUB_V1_LOG hit buffer=64k flush=1s;
    default_type application/json;
    location / { return 200 '{"version":"v1","score":0.5}'; }
  }
  server {
    listen 127.0.0.1:$STUB_V2_PORT;
    access_log $STUB_V2_LOG hit buffer=64k flush=1s;
    default_type application/json;
    location / { return 200 '{"version":"v2","score":0.5}'; }
  }

  # The nginx way to split traffic: a hash of the (random) request id picks the pool.
  upstream stub_v1 { server 127.0.0.1:$STUB_V1_PORT; keepalive 64; }
  upstream stub_v2 { server 127.0.0.1:$STUB_V2_PORT; keepalive 64; }
  split_clients "\$request_id" \$pool {
    90% stub_v1;
    *   stub_v2;
  }
  server {
    listen 127.0.0.1:$NGINX_SPLIT_PORT;
    access_log off;
    location / {
      proxy_pass http://\$pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  start_bg "$dir/nginx.out" nginx -p "$dir" -c "$dir/nginx.conf" >/dev/null
  wait_port "$STUB_V1_PORT" 10 && wait_port "$STUB_V2_PORT" 10 && wait_port "$NGINX_SPLIT_PORT" 10 || {
    cat "$dir/error.log" "$dir/nginx.out" >&2; return 1; }
  log "nginx up ($(nginx -v 2>&1 | sed 's/.*: //')): stubs v1 :$STUB_V1_PORT v2 :$STUB_V2_PORT, split_clients proxy :$NGINX_SPLIT_PORT"
}

# Requests each stub logged so far (access logs flush within 1 s).
stub_hits() {
  sleep 1.5
  echo "$(wc -l <"$STUB_V1_LOG") $(wc -l <"$STUB_V2_LOG")"
}
