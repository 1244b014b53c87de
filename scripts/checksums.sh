#!/usr/bin/env bash
# Write DIR/SHA256SUMS for a release: every archive and both installers, as `sha256sum -c` reads it.
#
#   scripts/checksums.sh DIR
set -euo pipefail
dir=${1:?the release directory}
cd "$dir"
files=(entra-perms-*.tar.gz entra-perms-*.zip install.sh install.ps1)
present=()
for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done
[ "${#present[@]}" -gt 0 ] || { echo "nothing to checksum in $dir" >&2; exit 2; }
if command -v sha256sum >/dev/null 2>&1; then
  sha256sum "${present[@]}" >SHA256SUMS
else
  shasum -a 256 "${present[@]}" >SHA256SUMS
fi
cat SHA256SUMS
