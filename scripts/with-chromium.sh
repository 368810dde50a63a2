#!/usr/bin/env bash
# Runs a command with Debian's Chromium at /usr/bin/chromium for the browser tests
# (__test__/security/oauth-browser.test.ts drives it with playwright-core; no browser is ever
# downloaded). Installs the `chromium` package when it is missing and we may (CI, or
# UZGATE_INSTALL_CHROMIUM=1); otherwise the browser tests skip visibly.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ ! -x "$CHROMIUM" ]]; then
  if [[ "${CI:-}" == "true" || "${UZGATE_INSTALL_CHROMIUM:-}" == "1" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "with-chromium: installing chromium from Debian's packages" >&2
    SUDO=""; [[ "$(id -u)" != "0" ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
fi

if [[ -x "$CHROMIUM" ]]; then
  echo "with-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")" >&2
else
  echo "with-chromium: $CHROMIUM not available — browser tests will be SKIPPED (set UZGATE_INSTALL_CHROMIUM=1 to install it)" >&2
fi
exec "$@"
