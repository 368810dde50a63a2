#!/usr/bin/env bash
# Runs a command with a throwaway redis-server on 127.0.0.1 and UZGATE_TEST_REDIS_URL pointing at
# it; the server is stopped (by its pid) when the command ends. Installs Debian's redis-server
# when it is missing and we may (CI, or UZGATE_INSTALL_REDIS=1); otherwise the Redis tests skip
# visibly.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" || "${UZGATE_INSTALL_REDIS:-}" == "1" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "with-redis: installing redis-server from Debian's packages" >&2
    SUDO=""; [[ "$(id -u)" != "0" ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  fi
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "with-redis: redis-server not available — Redis tests will be SKIPPED (set UZGATE_INSTALL_REDIS=1 to install it)" >&2
  exec "$@"
fi

# A free port: bind to 0, read it, close; retry if redis loses the race for it.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

dir=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

for attempt in 1 2 3 4 5; do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize no --logfile "$dir/redis.log" &
  pid=$!
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.05
  done
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""
  echo "with-redis: port $port was taken, retrying ($attempt)" >&2
done
[[ -n "$pid" ]] || { echo "with-redis: could not start redis-server" >&2; exit 1; }

export UZGATE_TEST_REDIS_URL="redis://127.0.0.1:$port"
echo "with-redis: redis-server $pid on $UZGATE_TEST_REDIS_URL" >&2
set +e
"$@"
status=$?
set -e
exit $status
