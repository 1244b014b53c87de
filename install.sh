#!/usr/bin/env bash
# Install a pinned entra-perms release: the binary of this machine's OS and architecture from the
# GitHub release, its SHA-256 checked against the release's SHA256SUMS; building from source
# (cargo install) only when no binary fits. In GitHub Actions the folder is added to GITHUB_PATH.
#
#   ENTRA_PERMS_VERSION=0.1.0 sh install.sh          (installs into ~/.local/bin, or $ENTRA_PERMS_DEST)
set -euo pipefail
version=${ENTRA_PERMS_VERSION:?the version to install}
repo=${ENTRA_PERMS_REPO:-entra-perms/entra-perms}
if [ -n "${GITHUB_PATH:-}" ]; then
  dest=${ENTRA_PERMS_DEST:-${RUNNER_TEMP:-/tmp}/entra-perms-bin}
else
  dest=${ENTRA_PERMS_DEST:-$HOME/.local/bin}
fi
mkdir -p "$dest"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  MINGW* | MSYS* | CYGWIN*) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

install_from_source() {
  echo "No release binary for $(uname -s)-$(uname -m): building entra-perms $version from source."
  cargo install --locked --root "$dest" --git "https://github.com/$repo" --tag "v$version" entra-perms
  [ -n "${GITHUB_PATH:-}" ] && echo "$dest/bin" >>"$GITHUB_PATH"
  return 0
}

if [ -z "$target" ]; then
  install_from_source
  exit 0
fi
ext=tar.gz
[[ $target == *windows* ]] && ext=zip
archive="entra-perms-$version-$target.$ext"
base="https://github.com/$repo/releases/download/v$version"
cd "$dest"
if ! curl -fsSL --retry 3 -o "$archive" "$base/$archive" || ! curl -fsSL --retry 3 -o SHA256SUMS "$base/SHA256SUMS"; then
  install_from_source
  exit 0
fi
grep " $archive\$" SHA256SUMS | sha256sum -c - || { echo "::error::checksum mismatch for $archive"; exit 1; }
if [ "$ext" = zip ]; then unzip -oq "$archive"; else tar -xzf "$archive"; fi
rm -f "$archive" SHA256SUMS README.md LICENSE
[ -n "${GITHUB_PATH:-}" ] && echo "$dest" >>"$GITHUB_PATH"
"$dest/entra-perms" --version
