#!/usr/bin/env bash
# `npm run consumer:e2e`: uzgate tested as users get it. Copies examples/consumer (a Nest 11 app
# as `nest new` lays it out) into a temporary folder outside the repository, installs uzgate from
# the tarballs that `npm run pack:local` wrote to pack/ (never from the repository's
# node_modules; the app's other dependencies come from the npm registry), with uzgate-sandbox as
# the dev dependency users add for their tests, runs `nest build` and the app's e2e test against
# the sandbox: OTP, amoCRM consent and a lead, an error's HTTP status.
# Jest runs without --forceExit under a time limit: a handle left open fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
main=("$root"/pack/uzgate-[0-9]*.tgz)
sandbox=("$root"/pack/uzgate-sandbox-[0-9]*.tgz)
sandbox_platform=("$root"/pack/uzgate-sandbox-[a-z]*.tgz)
platform=()
for f in "$root"/pack/uzgate-[a-z]*.tgz; do
  case "$(basename "$f")" in uzgate-sandbox-*) ;; *) platform+=("$f") ;; esac
done
if [ "${#main[@]}" -ne 1 ] || [ "${#platform[@]}" -ne 1 ] || [ "${#sandbox[@]}" -ne 1 ] || [ "${#sandbox_platform[@]}" -ne 1 ]; then
  echo "consumer-e2e: expected in pack/ one tarball each of uzgate, its platform package, uzgate-sandbox and its platform package: run npm run pack:local first" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/uzgate-consumer.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
tar -C "$root/examples/consumer" --exclude=node_modules --exclude=dist -cf - . | tar -C "$work" -xf -
cd "$work"
started=$SECONDS

echo "consumer-e2e: installing in $work from $(basename "${main[0]}") + $(basename "${platform[0]}"), dev: $(basename "${sandbox[0]}") + $(basename "${sandbox_platform[0]}")"
# one command: the app's package.json already lists uzgate-sandbox under devDependencies, and
# npm keeps a package where it is listed when its spec changes to a tarball
npm install --no-audit --no-fund --loglevel=error "${main[0]}" "${platform[0]}" "${sandbox[0]}" "${sandbox_platform[0]}"

# uzgate, uzgate-sandbox and their addons come from the tarballs, inside this folder
node -e '
  const path = require("node:path");
  const fs = require("node:fs");
  for (const name of ["uzgate", "uzgate-sandbox"]) {
    const where = path.dirname(require.resolve(`${name}/package.json`));
    if (!where.startsWith(process.cwd() + path.sep)) throw new Error(`${name} resolved outside the app: ${where}`);
  }
  const { version } = require("uzgate/package.json");
  const installed = fs.readdirSync("node_modules").filter((n) => n.startsWith("uzgate-"));
  console.log(`consumer-e2e: uzgate ${version} with ${installed.join(", ")}`);
  const addons = installed.filter((n) => n !== "uzgate-sandbox");
  if (addons.length !== 2 || addons.filter((n) => n.startsWith("uzgate-sandbox-")).length !== 1) {
    throw new Error("expected exactly one platform package for uzgate and one for uzgate-sandbox, got " + addons);
  }
  const app = JSON.parse(fs.readFileSync("package.json", "utf8"));
  if (!app.devDependencies["uzgate-sandbox"] || (app.dependencies ?? {})["uzgate-sandbox"]) {
    throw new Error("uzgate-sandbox must stay a dev dependency of the app");
  }
'

npx --no-install nest build
test -f dist/main.js || { echo "consumer-e2e: nest build wrote no dist/main.js" >&2; exit 1; }

timeout 300 npm run --silent test:e2e
echo "consumer-e2e: green in $((SECONDS - started)) s from an empty folder (install, nest build, e2e)"
