#!/usr/bin/env bash
# The GitHub Action's audit step (action.yml): run `entra-perms audit` once, write the JSON,
# Markdown and HTML reports, put the Markdown in the job summary, set the step's outputs, and turn
# an audit that could not run (exit 2 or 3) into an error annotation that says why.
#
# Inputs arrive as INPUT_* variables (set by action.yml); GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
# are the runner's files. The binary is ENTRA_PERMS_BIN (else `entra-perms` on PATH). Runs the
# same locally, against any Graph: `INPUT_APP=… INPUT_AUTH=access-token action/run.sh`.
set -uo pipefail

# A workflow command's message and property values, escaped as the runner reads them, so that
# text from the tenant or the inputs cannot end the command or start another.
escape_data() { local s=${1//%/%25}; s=${s//$'\r'/%0D}; printf '%s' "${s//$'\n'/%0A}"; }
escape_property() { local s; s=$(escape_data "$1"); s=${s//:/%3A}; printf '%s' "${s//,/%2C}"; }

bin=${ENTRA_PERMS_BIN:-entra-perms}
: "${GITHUB_OUTPUT:=/dev/null}" "${GITHUB_STEP_SUMMARY:=/dev/null}"

# The artifact's name: as given, else one of its own for each job and matrix entry (the job id,
# the app, and a checksum of every input), so that two audits in one run never collide. Only
# the characters an artifact name may hold.
artifact=${INPUT_ARTIFACT_NAME:-}
if [ -z "$artifact" ]; then
  inputs=$(env | LC_ALL=C grep '^INPUT_' | LC_ALL=C sort)
  sum=$(printf '%s' "$inputs" | cksum | cut -d' ' -f1)
  artifact="entra-perms-${GITHUB_JOB:-audit}-${INPUT_APP:-app}"
  artifact=$(printf '%s' "$artifact" | LC_ALL=C tr -c 'A-Za-z0-9._-' '-' | cut -c1-80)-$sum
fi

# The reports: a folder of this audit's own (two audits in one job keep theirs apart).
dir=${INPUT_REPORT_DIR:-${RUNNER_TEMP:-.}/$artifact}
mkdir -p "$dir"
rm -f "$dir/outputs.env"

fail_on=${INPUT_FAIL_ON:-}
args=(audit --app "${INPUT_APP:?the app input is required}" --auth "${INPUT_AUTH:-github-actions}")
[ -n "${INPUT_TENANT_ID:-}" ] && export AZURE_TENANT_ID="$INPUT_TENANT_ID"
[ -n "${INPUT_CLIENT_ID:-}" ] && export AZURE_CLIENT_ID="$INPUT_CLIENT_ID"
[ -n "${INPUT_CLOUD:-}" ] && args+=(--cloud "$INPUT_CLOUD")
[ -n "${INPUT_SERVICE_ACCOUNT:-}" ] && args+=(--service-account "$INPUT_SERVICE_ACCOUNT")
if [ -n "${INPUT_TENANTS:-}" ]; then
  args+=(--tenants "$INPUT_TENANTS")
  [ -n "${INPUT_CONCURRENCY:-}" ] && args+=(--concurrency "$INPUT_CONCURRENCY")
fi
[ -n "${INPUT_SCOPE:-}" ] && args+=(--scope "$INPUT_SCOPE")
[ "${INPUT_STRICT:-false}" = "true" ] && args+=(--strict)
[ "${INPUT_REDACT:-false}" = "true" ] && args+=(--redact)
[ -n "${INPUT_MATRIX:-}" ] && args+=(--matrix "$INPUT_MATRIX")
if [ -n "${INPUT_BASELINE:-}" ]; then
  if [ -f "$INPUT_BASELINE" ]; then
    args+=(--baseline "$INPUT_BASELINE")
  else
    # A first run has nothing to compare with: it reports, passes, and can become the baseline.
    case "$fail_on" in new-gap | new-excess) fail_on=never ;; esac
    echo "::notice title=entra-perms::$(escape_data "No baseline at $INPUT_BASELINE yet: this audit reports, passes, and can become the next one.")"
  fi
fi
[ -n "$fail_on" ] && args+=(--fail-on "$fail_on")
args+=(--format table
  --report "json=$dir/audit.json" --report "markdown=$dir/audit.md" --report "html=$dir/audit.html"
  --report "outputs=$dir/outputs.env")
sarif=""
if [ "${INPUT_SARIF:-false}" = "true" ]; then
  sarif="$dir/entra-perms.sarif"
  args+=(--report "sarif=$sarif")
fi
# More flags, split at white space (no quoting, no globbing).
if [ -n "${INPUT_EXTRA_ARGS:-}" ]; then
  set -f
  read -r -a extra <<<"$INPUT_EXTRA_ARGS"
  set +f
  args+=("${extra[@]}")
fi

errors=$(mktemp)
# Nothing the audit prints (tenant text included) may be read by the runner as a workflow
# command: commands stop until a token no one else knows (the binary neutralises them as well).
resume=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "::stop-commands::$resume"
"$bin" "${args[@]}" 2>"$errors"
code=$?
cat "$errors" >&2
echo "::$resume::"

# Outputs: the binary's own summary (passed, verdict, counts: no JSON tool needed on the runner),
# then the exit code and the files written. An audit that could not run wrote no summary.
{
  if [ -f "$dir/outputs.env" ]; then
    cat "$dir/outputs.env"
  else
    echo "passed=false"
    echo "missing="
  fi
  echo "exit-code=$code"
  echo "report-dir=$dir"
  echo "artifact-name=$artifact"
  for f in json:audit.json html:audit.html markdown:audit.md; do
    if [ -f "$dir/${f#*:}" ]; then echo "${f%%:*}=$dir/${f#*:}"; else echo "${f%%:*}="; fi
  done
  if [ -n "$sarif" ] && [ -f "$sarif" ]; then echo "sarif=$sarif"; else echo "sarif="; fi
} >>"$GITHUB_OUTPUT"

# The job summary takes at most 1 MiB a step: keep well under it, and point at the artifact.
limit=$((1000 * 1024))
if [ -f "$dir/audit.md" ]; then
  if [ "$(wc -c <"$dir/audit.md")" -le "$limit" ]; then
    cat "$dir/audit.md" >>"$GITHUB_STEP_SUMMARY"
  else
    head -c "$limit" "$dir/audit.md" >>"$GITHUB_STEP_SUMMARY"
    printf '\n\n… cut here: the whole report is in the `%s` artifact.\n' "$artifact" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

if [ "$code" -ge 2 ]; then
  # The first line of the error, one line, for the annotation.
  why=$(grep -m1 '^error:' "$errors" | sed 's/^error: //' | tr -d '\r' | cut -c1-900)
  kind=$([ "$code" -eq 2 ] && echo "the input is wrong" || echo "the audit could not be completed")
  echo "::error title=$(escape_property "entra-perms: ${kind} (exit $code)")::$(escape_data "${why:-see the log}")"
  printf '\n**entra-perms could not audit (exit %s):** %s\n' "$code" "${why:-see the log}" >>"$GITHUB_STEP_SUMMARY"
fi
rm -f "$errors"
exit "$code"
