#!/usr/bin/env bash
# `npm run consumer:e2e`: uzgate tested as users get it. Copies examples/consumer (a Nest 11 app
# as `nest new` lays it out) into a temporary folder outside the repository, installs uzgate from
# the tarballs that `npm run pack:local` wrote to pack/ (never from the repository's
# node_modules; the app's other dependencies come from the npm registry), runs `nest build` and
# the app's e2e test against the sandbox: OTP, amoCRM consent and a lead, an error's HTTP status.
# Jest runs without --forceExit under a time limit: a handle left open fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
main=("$root"/pack/uzgate-[0-9]*.tgz)
platform=("$root"/pack/uzgate-[a-z]*.tgz)
if [ "${#main[@]}" -ne 1 ] || [ "${#platform[@]}" -ne 1 ]; then
  echo "consumer-e2e: expected one main and one platform tarball in pack/: run npm run pack:local first" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/uzgate-consumer.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
tar -C "$root/examples/consumer" --exclude=node_modules --exclude=dist -cf - . | tar -C "$work" -xf -
cd "$work"
started=$SECONDS

echo "consumer-e2e: installing in $work from $(basename "${main[0]}") + $(basename "${platform[0]}")"
npm install --no-audit --no-fund --loglevel=error "${main[0]}" "${platform[0]}"

# uzgate and its addon come from the tarballs, inside this folder
node -e '
  const path = require("node:path");
  const where = path.dirname(require.resolve("uzgate/package.json"));
  if (!where.startsWith(process.cwd() + path.sep)) throw new Error("uzgate resolved outside the app: " + where);
  const { version } = require("uzgate/package.json");
  const addons = require("node:fs").readdirSync("node_modules").filter((n) => n.startsWith("uzgate-"));
  console.log(`consumer-e2e: uzgate ${version} with ${addons.join(", ")}`);
  if (addons.length !== 1) throw new Error("expected exactly one platform package, got " + addons);
'

npx --no-install nest build
test -f dist/main.js || { echo "consumer-e2e: nest build wrote no dist/main.js" >&2; exit 1; }

timeout 300 npm run --silent test:e2e
echo "consumer-e2e: green in $((SECONDS - started)) s from an empty folder (install, nest build, e2e)"
