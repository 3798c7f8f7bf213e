#!/usr/bin/env bash
# Checks the Helm chart charts/lineagelens, offline once the tools are cached:
#   1. helm lint --strict with each values file of charts/lineagelens/ci/;
#   2. helm template over that matrix, for the oldest and a recent supported Kubernetes version;
#   3. kubeconform -strict on every render against the Kubernetes JSON schemas of those versions
#      (ServiceMonitor, a CRD, is skipped: its fields are covered by the unit tests);
#   4. the chart unit tests (helm-unittest, charts/lineagelens/tests/*_test.yaml).
# The tools come from registries this machine reaches, are built or unpacked once into
# ${LINEAGELENS_CACHE:-~/.cache/lineagelens} and reused: helm, kubeconform and helm-unittest are built from the Go
# module proxy; the schemas come from the PyPI package kubernetes-validate, which ships them. A tool that cannot be
# obtained fails the run. Usage: scripts/chart-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
HELM_UNITTEST_VERSION=v1.1.2
SCHEMAS_PACKAGE=kubernetes-validate==1.37.0
# The chart's kubeVersion floor (Chart.yaml) and a recent release.
KUBE_VERSIONS=(1.25.0 1.35.0)

CHART=charts/lineagelens
CACHE="${LINEAGELENS_CACHE:-$HOME/.cache/lineagelens}"
BIN="$CACHE/bin"
SCHEMAS="$CACHE/k8s-schemas/${SCHEMAS_PACKAGE/==/-}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$BIN"

log() { echo "chart-check: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

need_go() {
  command -v go >/dev/null || die "go is not installed: it builds helm, kubeconform and helm-unittest"
}

# go install PACKAGE@VERSION into $BIN/NAME-VERSION (once).
go_tool() {
  local name=$1 package=$2 version=$3 target="$BIN/$1-$3"
  if [[ ! -x "$target" ]]; then
    need_go
    log "building $name $version from the Go module proxy (once; a few minutes)"
    GOFLAGS=-mod=mod GOBIN="$WORK/gobin" go install "$package@$version" \
      || die "could not build $package@$version"
    mv "$WORK/gobin/$(basename "$package")" "$target"
  fi
  echo "$target"
}

# helm-unittest's go.mod has replace directives, so `go install pkg@version` refuses it: build it from its module
# source as the main module.
helm_unittest() {
  local target="$BIN/helm-unittest-$HELM_UNITTEST_VERSION"
  if [[ ! -x "$target" ]]; then
    need_go
    log "building helm-unittest $HELM_UNITTEST_VERSION from the Go module proxy (once; a few minutes)"
    local dir
    dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/helm-unittest/helm-unittest@$HELM_UNITTEST_VERSION" \
      | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')" \
      || die "could not download helm-unittest $HELM_UNITTEST_VERSION"
    cp -R "$dir" "$WORK/helm-unittest" && chmod -R u+w "$WORK/helm-unittest"
    (cd "$WORK/helm-unittest" && GOFLAGS=-mod=mod go build -o "$target" ./cmd/helm-unittest) \
      || die "could not build helm-unittest $HELM_UNITTEST_VERSION"
  fi
  echo "$target"
}

# The strict ("-local-strict") JSON schemas of each Kubernetes version, unpacked from the kubernetes-validate wheel.
# Its files name themselves https://kubernetes.io/api/... and point at "/api/_definitions.json": the ids are dropped
# and the references made relative, so kubeconform resolves them on disk and never tries the network.
schemas() {
  local missing=()
  for v in "${KUBE_VERSIONS[@]}"; do
    [[ -f "$SCHEMAS/v$v-local-strict/.complete" ]] || missing+=("$v")
  done
  if ((${#missing[@]})); then
    log "unpacking Kubernetes JSON schemas (${missing[*]}) from PyPI $SCHEMAS_PACKAGE (once)"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$WORK/wheel" "$SCHEMAS_PACKAGE" \
      || die "could not download $SCHEMAS_PACKAGE from PyPI"
    "$PYTHON" - "$WORK"/wheel/*.whl "$SCHEMAS" "${missing[@]}" <<'EOF' || die "could not unpack the schemas"
import json, pathlib, sys, zipfile

wheel, dest, versions = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for version in versions:
        folder = f"v{version}-local-strict"
        prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
        names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
        if not names:
            sys.exit(f"{wheel} has no schemas for Kubernetes {version}")
        out = dest / folder
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            schema = json.loads(z.read(name))
            schema.pop("$id", None)
            text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
            (out / name.rsplit("/", 1)[1]).write_text(text)
        (out / ".complete").write_text(f"{len(names)} schemas\n")
EOF
  fi
}

HELM="$(go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")"
KUBECONFORM="$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")"
UNITTEST="$(helm_unittest)"
schemas

# helm keeps its config and caches out of the user's home while checking.
export HELM_CONFIG_HOME="$WORK/helm/config" HELM_CACHE_HOME="$WORK/helm/cache" HELM_DATA_HOME="$WORK/helm/data"

shopt -s nullglob
values_files=("$CHART"/ci/*.yaml)
((${#values_files[@]})) || die "no values files in $CHART/ci"

for values in "${values_files[@]}"; do
  log "helm lint --strict -f $values"
  "$HELM" lint --strict --quiet --kube-version "${KUBE_VERSIONS[-1]}" "$CHART" -f "$values" >"$WORK/lint.log" 2>&1 \
    || { cat "$WORK/lint.log" >&2; die "helm lint --strict with $values"; }
done

for kube in "${KUBE_VERSIONS[@]}"; do
  renders=()
  for values in "${values_files[@]}"; do
    out="$WORK/render-$kube-$(basename "$values")"
    "$HELM" template lineagelens "$CHART" --namespace lineage --kube-version "$kube" -f "$values" >"$out" \
      || die "helm template with $values (Kubernetes $kube)"
    renders+=("$out")
  done
  log "kubeconform -strict, Kubernetes $kube: ${values_files[*]##*/}"
  "$KUBECONFORM" -strict -summary -kubernetes-version "$kube" -skip ServiceMonitor \
    -schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "${renders[@]}" || die "rendered manifests do not match the Kubernetes $kube schemas"
done

log "helm-unittest $CHART"
"$UNITTEST" --strict "$CHART" || die "chart unit tests"
log "ok"
