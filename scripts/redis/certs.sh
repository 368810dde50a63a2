#!/usr/bin/env bash
# Makes the certificates of the test TLS servers in DIR with openssl: a CA (ca.crt), a server
# certificate it signed for 127.0.0.1 and localhost (server.crt/server.key), and an unrelated CA
# (other-ca.crt) that a client must refuse to trust the server with. Valid for two days.
set -euo pipefail
dir=${1:?usage: certs.sh DIR}
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "certs.sh: $1 failed" >&2; "$@"; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=uzgate test CA" \
  -keyout ca.key -out ca.crt
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=uzgate other CA" \
  -keyout other-ca.key -out other-ca.crt
quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > server.ext
quiet openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.crt
chmod 600 ./*.key
