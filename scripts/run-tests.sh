#!/usr/bin/env bash
# Runs node's test runner on one suite: unit, e2e or all. The file lists are defined here only
# (bash globstar, because Node 20's `node --test` does not expand a quoted glob; Node 22's would).
# Extra arguments go to node before the files, e.g. --test-name-pattern=presigned.
set -uo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

suite="${1:-}"
shift || true
case "$suite" in
  unit) files=(test/unit/**/*.test.ts) ;;
  e2e) files=(test/e2e/**/*.test.ts) ;;
  all) files=(test/unit/**/*.test.ts test/e2e/**/*.test.ts) ;;
  *) echo "usage: scripts/run-tests.sh unit|e2e|all [node --test options]" >&2; exit 2 ;;
esac
[ ${#files[@]} -gt 0 ] || { echo "no $suite test files found" >&2; exit 1; }

# e2e suites start real gateways and backends: one file at a time.
opts=(--test-reporter=spec)
[ "$suite" = unit ] || opts+=(--test-concurrency=1)
echo "== node --test: $suite (${#files[@]} files)"
exec node --import tsx --test "${opts[@]}" "$@" "${files[@]}"
