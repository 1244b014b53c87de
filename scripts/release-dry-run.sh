#!/usr/bin/env bash
# A dry run of .github/workflows/release.yml on this machine: print the release plan (every target,
# archive, checksum file, installer and image tag), then do for this machine's target what the
# workflow does for each: the release build, the package, SHA256SUMS, and install.sh installing
# the package from a local folder (checksum verified), whose binary then audits a shipped example.
#
#   scripts/release-dry-run.sh [OUT]        (needs: rustup target add x86_64-unknown-linux-musl,
#                                            apt-get install musl-tools; on aarch64 the aarch64 pair)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/release-dry-run}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
mapfile -t targets < <(sed -n 's/.*{ target: \([^,]*\), os: \([^,]*\),.*/\1 \2/p' .github/workflows/release.yml)
[ "${#targets[@]}" -gt 0 ] || { echo "no build matrix found in release.yml" >&2; exit 2; }

echo "Release plan for tag v$version"
for t in "${targets[@]}"; do
  set -- $t
  ext=tar.gz; [[ $1 == *windows* ]] && ext=zip
  printf '  %-28s on %-16s -> entra-perms-%s-%s.%s\n' "$1" "$2" "$version" "$1" "$ext"
done
echo "  SHA256SUMS over the archives, install.sh and install.ps1; all published on the GitHub release"
echo "  image ghcr.io/<owner>/entra-perms:v$version and :latest for linux/amd64 and linux/arm64"
echo

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=x86_64-unknown-linux-musl ;;
  Linux-aarch64) host=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) host=x86_64-apple-darwin ;;
  Darwin-arm64) host=aarch64-apple-darwin ;;
  *) echo "This dry run builds Linux and macOS targets only." >&2; exit 2 ;;
esac
printf '%s\n' "${targets[@]}" | grep -q "^$host " || { echo "$host is not in the release matrix" >&2; exit 2; }
echo "Building $host (release profile)"
cargo build --release --locked --target "$host"
rm -rf "$out"
archive=$(scripts/package.sh "$host" "$version" "$out")
cp install.sh install.ps1 "$out/"
echo "Checksums ($out/SHA256SUMS):"
scripts/checksums.sh "$out"
echo
echo "Installing with install.sh from $out:"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
ENTRA_PERMS_VERSION=$version ENTRA_PERMS_BASE_URL="file://$(cd "$out" && pwd)" ENTRA_PERMS_DEST="$dest" \
  GITHUB_PATH="" bash install.sh
echo
echo "The installed binary audits examples/all-granted.json:"
set +e
"$dest/entra-perms" audit --from examples/all-granted.json --format markdown | head -n 12
code=${PIPESTATUS[0]}
set -e
echo "exit $code"
[ "$code" -eq 0 ] || exit 1
ls -l "$archive"
if command -v file >/dev/null 2>&1; then file "$dest/entra-perms"; fi
