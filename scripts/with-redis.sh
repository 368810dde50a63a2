#!/usr/bin/env bash
# Runs a command with throwaway Redis deployments on 127.0.0.1 — one server, one TLS-only server
# (certificates made by redis/certs.sh with openssl) and a three-node Redis Cluster (plaintext and
# TLS ports) — and UZGATE_TEST_REDIS_* pointing at them; every server is stopped (by its pid)
# when the command ends. Installs Debian's redis-server and openssl when they are missing and we
# may (CI, or UZGATE_INSTALL_REDIS=1); otherwise the Redis tests skip visibly.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" || "${UZGATE_INSTALL_REDIS:-}" == "1" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "with-redis: installing redis-server and openssl from Debian's packages" >&2
    SUDO=""; [[ "$(id -u)" != "0" ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server openssl >/dev/null
  fi
fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  echo "with-redis: redis-server or openssl not available — Redis tests will be SKIPPED (set UZGATE_INSTALL_REDIS=1 to install them)" >&2
  exec "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=redis/servers.sh
source "$here/redis/servers.sh"
redis_dir=$(mktemp -d)
trap stop_redis_servers EXIT
mkdir -p "$redis_dir/certs"
"$here/redis/certs.sh" "$redis_dir/certs"

start_plain || { echo "with-redis: could not start redis-server" >&2; exit 1; }
start_tls || { echo "with-redis: could not start the TLS redis-server" >&2; exit 1; }
start_cluster || { echo "with-redis: could not start the Redis Cluster" >&2; exit 1; }

export UZGATE_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PLAIN_PORT"
export UZGATE_TEST_REDIS_TLS_URL="rediss://127.0.0.1:$REDIS_TLS_PORT"
export UZGATE_TEST_REDIS_CA_FILE="$redis_dir/certs/ca.crt"
export UZGATE_TEST_REDIS_OTHER_CA_FILE="$redis_dir/certs/other-ca.crt"
export UZGATE_TEST_REDIS_CLUSTER_URL="redis://127.0.0.1:${REDIS_CLUSTER_PORTS[0]}"
export UZGATE_TEST_REDIS_CLUSTER_TLS_URL="rediss://127.0.0.1:${REDIS_CLUSTER_TLS_PORTS[1]}"
echo "with-redis: $UZGATE_TEST_REDIS_URL, TLS $UZGATE_TEST_REDIS_TLS_URL, cluster ${REDIS_CLUSTER_PORTS[*]} (TLS ${REDIS_CLUSTER_TLS_PORTS[*]})" >&2
set +e
"$@"
status=$?
set -e
exit $status
