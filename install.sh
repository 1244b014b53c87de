#!/usr/bin/env bash
# Install a pinned entra-perms release: the binary of this machine's OS and architecture from the
# GitHub release, its SHA-256 checked against the release's SHA256SUMS; building from source
# (cargo install) only when no binary fits. In GitHub Actions the folder is added to GITHUB_PATH.
#
#   ENTRA_PERMS_VERSION=0.1.0 bash install.sh        (installs into ~/.local/bin, or $ENTRA_PERMS_DEST)
#
# ENTRA_PERMS_BASE_URL replaces the release download address (a mirror, or file:// for a dry run).
set -euo pipefail
version=${ENTRA_PERMS_VERSION:?the version to install, e.g. ENTRA_PERMS_VERSION=0.1.0}
repo=${ENTRA_PERMS_REPO:-entra-perms/entra-perms}
base=${ENTRA_PERMS_BASE_URL:-https://github.com/$repo/releases/download/v$version}
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
  MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

install_from_source() {
  echo "$1: building entra-perms $version from source (cargo install)." >&2
  cargo install --locked --root "$dest" --git "https://github.com/$repo" --tag "v$version" entra-perms
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest/bin" >>"$GITHUB_PATH"; fi
  "$dest/bin/entra-perms" --version
}

if [ -z "$target" ]; then
  install_from_source "No release binary for $(uname -s)-$(uname -m)"
  exit 0
fi
ext=tar.gz
exe=entra-perms
if [[ $target == *windows* ]]; then ext=zip exe=entra-perms.exe; fi
archive="entra-perms-$version-$target.$ext"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! curl -fsSL --retry 3 --connect-timeout 20 --max-time 300 -o "$work/SHA256SUMS" "$base/SHA256SUMS"; then
  install_from_source "No release v$version at $base"
  exit 0
fi
if ! grep -q " \*\{0,1\}$archive\$" "$work/SHA256SUMS"; then
  install_from_source "Release v$version has no $archive"
  exit 0
fi
curl -fsSL --retry 3 --connect-timeout 20 --max-time 300 -o "$work/$archive" "$base/$archive"
expected=$(grep " \*\{0,1\}$archive\$" "$work/SHA256SUMS" | head -n 1 | cut -d ' ' -f 1)
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$work/$archive" | cut -d ' ' -f 1)
else
  actual=$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)
fi
if [ "$expected" != "$actual" ]; then
  echo "::error title=entra-perms install::checksum mismatch for $archive (SHA256SUMS says $expected, the download is $actual); nothing installed"
  exit 1
fi
mkdir "$work/x"
if [ "$ext" = zip ]; then unzip -oq "$work/$archive" -d "$work/x"; else tar -xzf "$work/$archive" -C "$work/x"; fi
mv -f "$work/x/$exe" "$dest/$exe"
chmod +x "$dest/$exe"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest" >>"$GITHUB_PATH"; fi
"$dest/$exe" --version
echo "Installed into $dest$(case ":$PATH:" in *":$dest:"*) ;; *) echo ' (add it to PATH)' ;; esac)." >&2
