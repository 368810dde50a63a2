#!/usr/bin/env bash
# NestJS 12 smoke check (not part of `npm test`: it installs NestJS 12 from the npm registry).
# Packs uzgate, installs it with @nestjs/* 12 into a scratch project, copies the built addon in
# and runs app.mjs there. Needs `npm run build` first.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
addon="$(ls "$root"/uzgate.*.node 2>/dev/null | head -n1 || true)"
[[ -n "$addon" ]] || { echo "nest12-smoke: no built addon; run npm run build first" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && npm pack --silent --pack-destination "$scratch" >/dev/null)
cd "$scratch"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund ./uzgate-*.tgz \
  @nestjs/common@12 @nestjs/core@12 @nestjs/platform-express@12 reflect-metadata rxjs
cp "$addon" node_modules/uzgate/
cp "$root/scripts/nest12-smoke/app.mjs" .
node app.mjs
