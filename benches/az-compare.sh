#!/usr/bin/env bash
# Side by side (not part of CI): the Azure CLI gathering what an audit reads, one `az rest` a
# request, against `entra-perms audit`, both against the same stand-in (tests/cli/support/fake_graph.rs
# behind a TLS front, HTTP/2 and HTTP/1.1) with the same latency per answer, the token given to
# both. Writes the figures into BENCHMARKS.md ("Side by side with the Azure CLI").
#
#   benches/az-compare.sh [LATENCY_MS]      (default 100; installs azure-cli into target/azvenv)
set -euo pipefail
cd "$(dirname "$0")/.."
latency=${1:-100}
runs=5
venv=${AZ_VENV:-target/azvenv}

if [ ! -x "$venv/bin/az" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet azure-cli
fi
cargo build --release --quiet
cargo bench --bench audit --no-run --quiet 2>/dev/null

out=$(mktemp)
cargo bench --quiet --bench audit -- --serve "$latency" >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
# BASE=… CA=… TOKEN=… APP=… SP=… GRAPH=…
eval "$(head -n 1 "$out")"

export REQUESTS_CA_BUNDLE="$CA" AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CONFIG_DIR="$(mktemp -d)"
az() { "$venv/bin/az" "$@"; }
urls=(
  "/v1.0/organization?\$select=id,verifiedDomains"
  "/v1.0/servicePrincipals(appId='$GRAPH')?\$select=id,appId,displayName,appRoles,oauth2PermissionScopes"
  "/v1.0/servicePrincipals(appId='$APP')?\$select=id,appId,displayName"
  "/v1.0/servicePrincipals/$SP/appRoleAssignments"
  "/v1.0/oauth2PermissionGrants?\$filter=clientId eq '$SP'"
  "/v1.0/applications(appId='$APP')?\$select=requiredResourceAccess"
  "/v1.0/applications(appId='$APP')/owners"
  "/v1.0/servicePrincipals/$SP/owners"
)

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

az_times=()
for _ in $(seq 1 "$runs"); do
  start=$(now)
  for u in "${urls[@]}"; do
    # The app registration is not in the stand-in's tenant: its 404s are part of the gathering.
    az rest --method get --url "$BASE$u" --skip-authorization-header \
      --headers "Authorization=Bearer $TOKEN" -o none 2>/dev/null || true
  done
  az_times+=("$(echo "$(now) - $start" | bc)")
done
ep_times=()
for _ in $(seq 1 "$runs"); do
  start=$(now)
  ENTRA_PERMS_ACCESS_TOKEN="$TOKEN" SSL_CERT_FILE="$CA" \
    target/release/entra-perms audit --app "$APP" --graph-url "$BASE" --format json >/dev/null
  ep_times+=("$(echo "$(now) - $start" | bc)")
done
# With the sign-in: a client-secret token request to the stand-in's token endpoint first.
cs_times=()
for _ in $(seq 1 "$runs"); do
  start=$(now)
  AZURE_AUTHORITY_HOST="$BASE" AZURE_TENANT_ID="$TENANT" AZURE_CLIENT_ID=11111111-2222-4333-8444-555555555555 \
    AZURE_CLIENT_SECRET=bench-secret-value SSL_CERT_FILE="$CA" \
    target/release/entra-perms audit --auth client-secret --app "$APP" --graph-url "$BASE" --format json >/dev/null
  cs_times+=("$(echo "$(now) - $start" | bc)")
done
cs_s=$(printf '%s\n' "${cs_times[@]}" | median)
cs_ratio=$(echo "scale=1; $(printf '%s\n' "${az_times[@]}" | median) / $cs_s" | bc)
az_s=$(printf '%s\n' "${az_times[@]}" | median)
ep_s=$(printf '%s\n' "${ep_times[@]}" | median)
ratio=$(echo "scale=1; $az_s / $ep_s" | bc)
az_version=$(az version --query '"azure-cli"' -o tsv)
ep_version=$(target/release/entra-perms --version)
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME")"

section=$(cat <<MD

## Side by side with the Azure CLI

\`benches/az-compare.sh $latency\`: the same stand-in over TLS with $latency ms per answer, the token given to
both (no sign-in measured). The Azure CLI gathers the facts an audit reads with one \`az rest\` per
request (${#urls[@]} requests, one after the other) and gives no verdict; \`entra-perms audit --app <appId>\`
reads them in one round and gives the verdict. Median of $runs runs; $machine; azure-cli $az_version,
$ep_version.

| | wall time (median) |
|---|---|
| Azure CLI, ${#urls[@]} × \`az rest\` | $(printf '%.2f' "$az_s") s |
| \`entra-perms audit\` (process start to verdict) | $(printf '%.2f' "$ep_s") s |
| entra-perms is faster by | ${ratio}× |
| \`entra-perms audit --auth client-secret\` (with its token request) | $(printf '%.2f' "$cs_s") s |
| with its sign-in, entra-perms is faster by | ${cs_ratio}× |
MD
)
python3 - "$section" <<'PY'
import sys, pathlib
p = pathlib.Path("BENCHMARKS.md")
text = p.read_text()
i = text.find("\n## Side by side with the Azure CLI")
if i >= 0:
    text = text[:i]
p.write_text(text.rstrip("\n") + "\n" + sys.argv[1] + "\n")
PY
echo "$section"
