#!/usr/bin/env bash
# Checks the Helm chart charts/lineagelens, offline once the tools are cached:
#   1. helm lint --strict with each values file of charts/lineagelens/ci/;
#   2. helm template over that matrix, for the oldest and a recent supported Kubernetes version;
#   3. kubeconform -strict on every render against the Kubernetes JSON schemas of those versions and, for the
#      ServiceMonitor (a CRD), the JSON schema converted from the Prometheus Operator's own CRD; then broken
#      ServiceMonitors (a number for a duration, a malformed duration, a misspelt field) must be rejected;
#   4. the chart unit tests (helm-unittest, charts/lineagelens/tests/*_test.yaml).
# The tools come from registries this machine reaches, are built or unpacked once into
# ${LINEAGELENS_CACHE:-~/.cache/lineagelens} and reused: helm, kubeconform and helm-unittest are built from the Go
# module proxy (helm and helm-unittest in one build: they share all but a few dozen packages); the Kubernetes
# schemas come from the PyPI package kubernetes-validate, which ships them; the ServiceMonitor CRD from the Go
# module zip of prometheus-operator, checked against a pinned sha256 and converted by scripts/crd_jsonschema.py
# (needs PyYAML in $PYTHON). A tool that cannot be obtained fails the run.
# Usage: scripts/chart-check.sh   (LINEAGELENS_CACHE=DIR to use another tool cache, e.g. an empty one)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HELM_UNITTEST_VERSION=v1.1.2
# helm is built at the version helm-unittest's go.mod requires, in the same build (checked below): one Helm for
# lint, template and the unit tests, and the Kubernetes libraries they share compiled once instead of twice.
HELM_VERSION=v3.21.3
KUBECONFORM_VERSION=v0.8.0
SCHEMAS_PACKAGE=kubernetes-validate==1.37.0
# The ServiceMonitor CRD: the Go module zip of prometheus-operator, pinned by version and sha256.
PROMETHEUS_OPERATOR_MODULE=github.com/prometheus-operator/prometheus-operator
PROMETHEUS_OPERATOR_VERSION=v0.85.0
PROMETHEUS_OPERATOR_ZIP_SHA256=0bdb88ed823d0f2e86cf909638439b6ad1da744a228172c7411d9987527dc5d1
SERVICEMONITOR_CRD=example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
# The chart's kubeVersion floor (Chart.yaml) and a recent release.
KUBE_VERSIONS=(1.25.0 1.35.0)

CHART=charts/lineagelens
CACHE="${LINEAGELENS_CACHE:-$HOME/.cache/lineagelens}"
BIN="$CACHE/bin"
SCHEMAS="$CACHE/k8s-schemas/${SCHEMAS_PACKAGE/==/-}"
# Keyed by the converter's content too, so a change to scripts/crd_jsonschema.py converts again.
CONVERTER_SHA="$(sha256sum scripts/crd_jsonschema.py | cut -c1-12)"
CRD_SCHEMAS="$CACHE/crd-schemas/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION-$CONVERTER_SHA"
PYTHON="${PYTHON:-python3}"
mkdir -p "$BIN"

log() { echo "chart-check: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

need_go() {
  command -v go >/dev/null || die "go is not installed: it builds helm, kubeconform and helm-unittest"
}

# `go mod download -json MODULE@VERSION` (checked against the Go checksum database), one field of its answer.
go_download() {
  GOFLAGS=-mod=mod go mod download -json "$1" \
    | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# go install PACKAGE@VERSION into $BIN/NAME-VERSION (once). Release-style: no symbol table or DWARF (less to link
# and write), no local paths in the binary.
go_tool() {
  local name=$1 package=$2 version=$3 target="$BIN/$1-$3"
  if [[ ! -x "$target" ]]; then
    need_go
    log "building $name $version from the Go module proxy (once)"
    GOFLAGS=-mod=mod GOBIN="$WORK/gobin" go install -trimpath -ldflags="-s -w" "$package@$version" \
      || die "could not build $package@$version"
    mv "$WORK/gobin/$(basename "$package")" "$target"
  fi
  echo "$target"
}

# helm-unittest's go.mod has replace directives, so `go install pkg@version` refuses it: it is built from its module
# source as the main module, and helm's command in the same `go build` from that module's dependency graph (which
# requires helm.sh/helm/v3 already), so the packages both use (client-go, apimachinery, api ...) compile once.
helm_tools() {
  if [[ ! -x "$HELM" || ! -x "$UNITTEST" ]]; then
    need_go
    log "building helm $HELM_VERSION and helm-unittest $HELM_UNITTEST_VERSION from the Go module proxy (once)"
    local dir required
    dir="$(go_download "github.com/helm-unittest/helm-unittest@$HELM_UNITTEST_VERSION" Dir)" \
      || die "could not download helm-unittest $HELM_UNITTEST_VERSION"
    cp -R "$dir" "$WORK/helm-unittest" && chmod -R u+w "$WORK/helm-unittest"
    required="$(cd "$WORK/helm-unittest" && GOFLAGS=-mod=mod go list -m -f '{{.Version}}' helm.sh/helm/v3)" \
      || die "could not read helm-unittest's requirements"
    [[ "$required" == "$HELM_VERSION" ]] \
      || die "helm-unittest $HELM_UNITTEST_VERSION builds with helm $required: set HELM_VERSION=$required"
    (cd "$WORK/helm-unittest" && GOFLAGS=-mod=mod go build -trimpath \
      -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      -o "$WORK/helm-tools/" helm.sh/helm/v3/cmd/helm ./cmd/helm-unittest) \
      || die "could not build helm $HELM_VERSION and helm-unittest $HELM_UNITTEST_VERSION"
    mv "$WORK/helm-tools/helm" "$HELM"
    mv "$WORK/helm-tools/helm-unittest" "$UNITTEST"
  fi
}

# The ServiceMonitor's JSON schema, converted by scripts/crd_jsonschema.py from the CRD in prometheus-operator's
# module zip (once). The zip's sha256 is pinned here, on top of the checksum database's check of the download.
crd_schemas() {
  [[ -f "$CRD_SCHEMAS/.complete" ]] && return
  need_go
  log "converting the ServiceMonitor CRD of prometheus-operator $PROMETHEUS_OPERATOR_VERSION (once)"
  local zip
  zip="$(go_download "$PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION" Zip)" \
    || die "could not download $PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION"
  echo "$PROMETHEUS_OPERATOR_ZIP_SHA256  $zip" | sha256sum --check --quiet - \
    || die "$zip does not have the pinned sha256 $PROMETHEUS_OPERATOR_ZIP_SHA256"
  "$PYTHON" - "$zip" "$PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION/$SERVICEMONITOR_CRD" \
    "$WORK/servicemonitor-crd.yaml" <<'EOF' || die "no $SERVICEMONITOR_CRD in the module zip"
import sys, zipfile

with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], "wb") as out:
    out.write(z.read(sys.argv[2]))
EOF
  rm -rf "$CRD_SCHEMAS" && mkdir -p "$CRD_SCHEMAS"
  "$PYTHON" scripts/crd_jsonschema.py "$WORK/servicemonitor-crd.yaml" --out "$CRD_SCHEMAS" >/dev/null \
    || die "could not convert the ServiceMonitor CRD (is PyYAML installed for $PYTHON?)"
  [[ -f "$CRD_SCHEMAS/servicemonitor-monitoring.coreos.com-v1.json" ]] || die "no ServiceMonitor v1 schema"
  echo "$PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION $SERVICEMONITOR_CRD" >"$CRD_SCHEMAS/.complete"
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

HELM="$BIN/helm-$HELM_VERSION"
UNITTEST="$BIN/helm-unittest-$HELM_UNITTEST_VERSION"
helm_tools
KUBECONFORM="$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")"
schemas
crd_schemas

# helm keeps its config and caches out of the user's home while checking.
export HELM_CONFIG_HOME="$WORK/helm/config" HELM_CACHE_HOME="$WORK/helm/cache" HELM_DATA_HOME="$WORK/helm/data"

# kubeconform against the strict Kubernetes schemas, then the converted CRD schemas; a kind found in neither is an
# error (no -ignore-missing-schemas).
conform() {
  "$KUBECONFORM" -strict -summary \
    -schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$CRD_SCHEMAS/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json" \
    "$@"
}

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
  grep -qx 'kind: ServiceMonitor' "${renders[@]}" || die "no values file in $CHART/ci renders the ServiceMonitor"
  log "kubeconform -strict, Kubernetes $kube: ${values_files[*]##*/}"
  conform -kubernetes-version "$kube" "${renders[@]}" \
    || die "rendered manifests do not match the Kubernetes $kube schemas or the ServiceMonitor CRD"
done

# The ServiceMonitor check can fail: broken ServiceMonitors (the values schema bypassed, or the render edited) must
# be rejected by kubeconform for the expected reason.
expect_rejected() {
  local what=$1 reason=$2 manifest=$3
  if conform -kubernetes-version "${KUBE_VERSIONS[-1]}" "$manifest" >"$WORK/rejected.log" 2>&1; then
    cat "$WORK/rejected.log" >&2; die "kubeconform accepted a ServiceMonitor with $what"
  fi
  grep -qF -- "$reason" "$WORK/rejected.log" \
    || { cat "$WORK/rejected.log" >&2; die "kubeconform rejected a ServiceMonitor with $what, but not for: $reason"; }
}
servicemonitor() {
  "$HELM" template lineagelens "$CHART" --namespace lineage --kube-version "${KUBE_VERSIONS[-1]}" \
    -f "$CHART/ci/full-values.yaml" --show-only templates/servicemonitor.yaml "$@" \
    || die "helm template of the ServiceMonitor with: $*"
}
log "kubeconform rejects broken ServiceMonitors"
servicemonitor --skip-schema-validation --set metrics.serviceMonitor.interval=30 >"$WORK/sm-number.yaml"
expect_rejected "a number as interval" "at '/spec/endpoints/0/interval': got number, want string" "$WORK/sm-number.yaml"
servicemonitor --skip-schema-validation --set metrics.serviceMonitor.scrapeTimeout=10sec >"$WORK/sm-duration.yaml"
expect_rejected "a malformed scrapeTimeout" "at '/spec/endpoints/0/scrapeTimeout': '10sec' does not match pattern" \
  "$WORK/sm-duration.yaml"
servicemonitor | sed 's/^\( *\)credentials:/\1credential:/' >"$WORK/sm-misspelt.yaml"
expect_rejected "a misspelt field" \
  "at '/spec/endpoints/0/authorization': additional properties 'credential' not allowed" "$WORK/sm-misspelt.yaml"

log "helm-unittest $CHART"
"$UNITTEST" --strict "$CHART" || die "chart unit tests"
log "ok"
