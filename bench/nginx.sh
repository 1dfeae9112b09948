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

  # The upstream stubs: what a model server would be, minus the model. /large is a 1 MiB file
  # (the large-body runs download it; an upload to any other path is read and dropped).
  server {
    listen 127.0.0.1:$STUB_V1_PORT;
    access_log $STUB_V1_LOG hit buffer=64k flush=1s;
    default_type application/json;
    client_max_body_size 16m;
    location = /large { root $dir/static; }
    location / { return 200 '{"version":"v1","score":0.5}'; }
  }
  # v2 can be made to fail a share of its requests (stub_v2_fail); healthy until then.
  split_clients "\$request_id" \$v2_roll { 30% 1; * ""; }
  server {
    listen 127.0.0.1:$STUB_V2_PORT;
    access_log $STUB_V2_LOG hit buffer=64k flush=1s;
    default_type application/json;
    include $dir/v2-location.conf;
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
    client_max_body_size 16m;
    location / {
      proxy_pass http://\$pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  mkdir -p "$dir/static"
  head -c 1048576 /dev/zero | tr '\0' 'x' >"$dir/static/large"
  # nginx's workers (www-data) read the static file and write request bodies under $dir/tmp.
  chmod 755 "$BENCH_TMP" "$dir" "$dir/static"
  chmod 644 "$dir/static/large"
  stub_v2_location healthy
  start_bg "$dir/nginx.out" nginx -p "$dir" -c "$dir/nginx.conf" >/dev/null
  wait_port "$STUB_V1_PORT" 10 && wait_port "$STUB_V2_PORT" 10 && wait_port "$NGINX_SPLIT_PORT" 10 || {
    cat "$dir/error.log" "$dir/nginx.out" >&2; return 1; }
  log "nginx up ($(nginx -v 2>&1 | sed 's/.*: //')): stubs v1 :$STUB_V1_PORT v2 :$STUB_V2_PORT, split_clients proxy :$NGINX_SPLIT_PORT"
}

stub_v2_location() {
  local dir="$BENCH_TMP/nginx"
  if [[ $1 == healthy ]]; then
    echo "client_max_body_size 16m; location = /large { root $dir/static; } location / { return 200 '{\"version\":\"v2\",\"score\":0.5}'; }" >"$dir/v2-location.conf"
  else
    echo "location / { if (\$v2_roll) { return 500; } return 200 '{\"version\":\"v2\",\"score\":0.5}'; }" >"$dir/v2-location.conf"
  fi
}

# From now on the v2 stub fails 30% of its requests (nginx reloads its configuration gracefully).
stub_v2_fail() {
  stub_v2_location failing
  nginx -p "$BENCH_TMP/nginx" -c "$BENCH_TMP/nginx/nginx.conf" -s reload
}

# Requests each stub logged so far (access logs flush within 1 s).
stub_hits() {
  sleep 1.5
  echo "$(wc -l <"$STUB_V1_LOG") $(wc -l <"$STUB_V2_LOG")"
}
