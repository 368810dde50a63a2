# Functions that start redis-server processes on 127.0.0.1 (free ports, one temporary directory)
# and remember their pids, so the caller stops exactly what it started. Sourced by with-redis.sh.

redis_pids=()
redis_dir=""

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

stop_redis_servers() {
  local pid
  for pid in "${redis_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${redis_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis_pids=()
  [[ -n "$redis_dir" ]] && rm -rf "$redis_dir"
}

# ping PORT [redis-cli TLS arguments…]
ping_redis() { local port=$1; shift; redis-cli "$@" -p "$port" ping >/dev/null 2>&1; }

# start_redis NAME PORT PING_PORT PING_ARGS… -- SERVER_ARGS…: starts one server, waits for its
# answer; returns 1 if it died (a port taken meanwhile), leaving nothing running.
start_redis() {
  local name=$1 port=$2 ping_port=$3; shift 3
  local ping_args=()
  while [[ $1 != -- ]]; do ping_args+=("$1"); shift; done; shift
  mkdir -p "$redis_dir/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$redis_dir/$name" \
    --daemonize no --logfile "$redis_dir/$name/redis.log" "$@" &
  local pid=$!
  for _ in $(seq 1 100); do
    if ping_redis "$ping_port" "${ping_args[@]}"; then redis_pids+=("$pid"); return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  echo "with-redis: $name on port $port did not start (retrying)" >&2
  return 1
}

# start_plain → REDIS_PLAIN_PORT
start_plain() {
  local attempt
  for attempt in 1 2 3 4 5; do
    REDIS_PLAIN_PORT=$(free_port)
    start_redis plain "$REDIS_PLAIN_PORT" "$REDIS_PLAIN_PORT" -- && return 0
  done
  return 1
}

# start_tls → REDIS_TLS_PORT: TLS only (port 0 turns the plaintext port off).
start_tls() {
  local attempt tls=("--tls" "--cacert" "$redis_dir/certs/ca.crt")
  for attempt in 1 2 3 4 5; do
    REDIS_TLS_PORT=$(free_port)
    start_redis tls 0 "$REDIS_TLS_PORT" "${tls[@]}" -- --tls-port "$REDIS_TLS_PORT" \
      --tls-cert-file "$redis_dir/certs/server.crt" --tls-key-file "$redis_dir/certs/server.key" \
      --tls-ca-cert-file "$redis_dir/certs/ca.crt" --tls-auth-clients no && return 0
  done
  return 1
}

# start_cluster → REDIS_CLUSTER_PORTS (plain) and REDIS_CLUSTER_TLS_PORTS: three primaries that
# answer on a plaintext and a TLS port each (the cluster bus on TLS too), slots spread by
# redis-cli --cluster create, ready when every node reports cluster_state:ok.
start_cluster() {
  local i attempt port tls_port bus
  local tls=("--tls" "--cacert" "$redis_dir/certs/ca.crt")
  REDIS_CLUSTER_PORTS=(); REDIS_CLUSTER_TLS_PORTS=()
  for i in 1 2 3; do
    for attempt in 1 2 3 4 5; do
      port=$(free_port); tls_port=$(free_port); bus=$(free_port)
      start_redis "cluster-$i" "$port" "$port" -- --cluster-enabled yes \
        --cluster-config-file "$redis_dir/cluster-$i/nodes.conf" --cluster-port "$bus" \
        --cluster-node-timeout 5000 --tls-port "$tls_port" --tls-cluster yes \
        --tls-cert-file "$redis_dir/certs/server.crt" --tls-key-file "$redis_dir/certs/server.key" \
        --tls-ca-cert-file "$redis_dir/certs/ca.crt" --tls-auth-clients no && break
      [[ $attempt == 5 ]] && return 1
    done
    REDIS_CLUSTER_PORTS+=("$port"); REDIS_CLUSTER_TLS_PORTS+=("$tls_port")
  done
  local nodes=()
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$redis_dir/cluster-create.log" 2>&1 \
    || { cat "$redis_dir/cluster-create.log" >&2; return 1; }
  for _ in $(seq 1 200); do
    local ok=0
    for port in "${REDIS_CLUSTER_PORTS[@]}"; do
      redis-cli -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && ok=$((ok + 1))
    done
    [[ $ok == 3 ]] && return 0
    sleep 0.05
  done
  echo "with-redis: the cluster did not reach cluster_state:ok" >&2
  return 1
}
