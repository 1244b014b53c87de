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
dir=${INPUT_REPORT_DIR:-entra-perms-report}
mkdir -p "$dir"
: "${GITHUB_OUTPUT:=/dev/null}" "${GITHUB_STEP_SUMMARY:=/dev/null}"

args=(audit --app "${INPUT_APP:?the app input is required}" --auth "${INPUT_AUTH:-github-actions}")
[ -n "${INPUT_TENANT_ID:-}" ] && export AZURE_TENANT_ID="$INPUT_TENANT_ID"
[ -n "${INPUT_CLIENT_ID:-}" ] && export AZURE_CLIENT_ID="$INPUT_CLIENT_ID"
[ -n "${INPUT_SCOPE:-}" ] && args+=(--scope "$INPUT_SCOPE")
[ "${INPUT_STRICT:-false}" = "true" ] && args+=(--strict)
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_MATRIX:-}" ] && args+=(--matrix "$INPUT_MATRIX")
if [ -n "${INPUT_BASELINE:-}" ]; then
  if [ -f "$INPUT_BASELINE" ]; then
    args+=(--baseline "$INPUT_BASELINE")
  else
    echo "::notice title=entra-perms::$(escape_data "No baseline at $INPUT_BASELINE yet: this audit can become the next one.")"
  fi
fi
args+=(--format table
  --report "json=$dir/audit.json" --report "markdown=$dir/audit.md" --report "html=$dir/audit.html")

errors=$(mktemp)
# Nothing the audit prints (tenant text included) may be read by the runner as a workflow
# command: commands stop until a token no one else knows (the binary neutralises them as well).
resume=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "::stop-commands::$resume"
"$bin" "${args[@]}" 2>"$errors"
code=$?
cat "$errors" >&2
echo "::$resume::"

# Outputs: passed (true/false), exit-code, missing (how many permissions to grant).
missing=""
if [ "$code" -le 1 ] && [ -f "$dir/audit.json" ]; then
  missing=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["missing"]))' \
    "$dir/audit.json" 2>/dev/null || true)
fi
{
  echo "exit-code=$code"
  echo "passed=$([ "$code" -eq 0 ] && echo true || echo false)"
  echo "missing=$missing"
  echo "report-dir=$dir"
} >>"$GITHUB_OUTPUT"

# The job summary takes at most 1 MiB a step: keep well under it, and point at the artifact.
limit=$((1000 * 1024))
if [ -f "$dir/audit.md" ]; then
  if [ "$(wc -c <"$dir/audit.md")" -le "$limit" ]; then
    cat "$dir/audit.md" >>"$GITHUB_STEP_SUMMARY"
  else
    head -c "$limit" "$dir/audit.md" >>"$GITHUB_STEP_SUMMARY"
    printf '\n\n… cut here: the whole report is in the `entra-perms-report` artifact.\n' >>"$GITHUB_STEP_SUMMARY"
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
