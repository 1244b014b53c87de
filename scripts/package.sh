#!/usr/bin/env bash
# Package one release build as the release publishes it: OUT/entra-perms-VERSION-TARGET.tar.gz
# (.zip for Windows) holding the binary, README.md and LICENSE. Prints the archive's path.
#
#   scripts/package.sh TARGET VERSION [OUT [BINARY]]   (after cargo build --release --target TARGET;
#                                                       BINARY packages another build, as the tests do)
set -euo pipefail
target=${1:?target triple} version=${2:?version} out=${3:-dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
binary=${4:+$(cd "$(dirname "$4")" && pwd)/$(basename "$4")}
cd "$(dirname "$0")/.."
exe=entra-perms ext=tar.gz
if [[ $target == *windows* ]]; then exe=entra-perms.exe ext=zip; fi
binary=${binary:-target/$target/release/$exe}
[ -f "$binary" ] || { echo "no $binary: run cargo build --release --locked --target $target first" >&2; exit 2; }
name="entra-perms-$version-$target.$ext"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$exe"
cp README.md LICENSE "$stage/"
if [ "$ext" = zip ]; then
  (cd "$stage" && 7z a "$out/$name" "$exe" README.md LICENSE >/dev/null)
else
  tar -czf "$out/$name" -C "$stage" "$exe" README.md LICENSE
fi
echo "$out/$name"
