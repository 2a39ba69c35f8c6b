#!/usr/bin/env bash
# The whole suite: typecheck, dependency rules, unit tests, then end-to-end suites with a real Envoy, the real
# services and real backends. Prints node's summary and a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

echo "== tools (idempotent: Envoy, versitygw, SeaweedFS, boto3, aws-cli)"
bash scripts/install-tools.sh --test || exit 1

echo "== typecheck"
npx --no-install tsc -p tsconfig.json || exit 1

echo "== dependency rules (.dependency-cruiser.cjs; table: node .dependency-cruiser.cjs)"
npx --no-install depcruise --config .dependency-cruiser.cjs --output-type err-long . || exit 1

log="$(mktemp)"
bash scripts/run-tests.sh all 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
rm -f "$log"
echo "${pass:-0} passed, ${fail:-0} failed"
[ "${pass:-0}" -gt 0 ] || { echo "no test ran"; exit 1; }
exit "$status"
