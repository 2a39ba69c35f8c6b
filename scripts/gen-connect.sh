#!/usr/bin/env bash
# Generates @bufbuild/protobuf (protoc-gen-es v2) code for Envoy's ext_authz Check and ext_proc Process
# services, for the connect-node gRPC stack (wire/grpc/connect-transport.ts), into
# node_modules/.bucketgate-gen/es (git-ignored; nothing generated and no third-party proto is committed).
# The protos are the ones @grpc/grpc-js-xds ships (as wire/protos.ts reads them), assembled into a buf
# workspace of symlinks. Idempotent: a stamp of the inputs skips the generation when they have not changed
# (a few ms; generating takes ~4 s).
# Usage: scripts/gen-connect.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=node_modules/.bucketgate-gen
ES="$OUT/es"
DEPS=node_modules/@grpc/grpc-js-xds/deps
FILES=(envoy/service/auth/v3/external_auth.proto envoy/service/ext_proc/v3/external_processor.proto)

# The inputs: the protos' package, the generator, buf, this script and the template (package.json files
# read directly: no node start-up for an up-to-date run).
stamp="$(cat node_modules/@grpc/grpc-js-xds/package.json node_modules/@bufbuild/protoc-gen-es/package.json \
  node_modules/@bufbuild/protobuf/package.json node_modules/@bufbuild/buf/package.json buf.gen.yaml "$0" | sha256sum | cut -d' ' -f1)"
if [ "${1:-}" != "--force" ] && [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ]; then exit 0; fi

echo "[gen-connect] generating Envoy service code into $ES" >&2
WS="$OUT/protos"
rm -rf "$WS" "$OUT/stamp"
mkdir -p "$WS"
# One buf module per include root of wire/protos.ts; protoc-gen-validate keeps only validate/ (its tests
# and java folders hold protos of their own).
for d in envoy-api xds googleapis; do ln -s "$PWD/$DEPS/$d" "$WS/$d"; done
mkdir -p "$WS/pgv" && ln -s "$PWD/$DEPS/protoc-gen-validate/validate" "$WS/pgv/validate"
cat > "$WS/buf.yaml" <<'YAML'
version: v2
modules:
  - path: envoy-api
  - path: xds
  - path: googleapis
  - path: pgv
YAML
paths=()
for f in "${FILES[@]}"; do paths+=(--path "$WS/envoy-api/$f"); done
# Generated beside, then moved into place: a reader never sees a half-written tree.
tmp="$OUT/tmp.$$"
trap 'rm -rf "$tmp"' EXIT
node_modules/.bin/buf generate "$WS" --template buf.gen.yaml -o "$tmp" "${paths[@]}"
rm -rf "$ES"
mv "$tmp/es" "$ES"
echo "$stamp" > "$OUT/stamp"
