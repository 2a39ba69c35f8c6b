#!/usr/bin/env bash
# The import graph of the product's folders, one edge a line ("authz/ → access/"), as dependency-cruiser
# reads it from the code. The README's architecture section shows this output; a unit test keeps the two equal.
set -euo pipefail
cd "$(dirname "$0")/.."
folders='core|wire|access|backends|authz|extproc|envoy|launcher|cli'
npx --no-install depcruise --config .dependency-cruiser.cjs --output-type text \
  --collapse "^($folders)/" --include-only "^($folders)/" . | sort -u
