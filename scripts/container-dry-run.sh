#!/usr/bin/env bash
# Build the container image here as the release workflow does (Dockerfile, BINARY=prebuilt, from
# the static release binary), then run it: --version, and an audit of a shipped example mounted
# read-only, as the non-root user. Uses podman (Debian: apt-get install podman runc) or docker.
#
#   scripts/container-dry-run.sh [IMAGE]      (after scripts/release-dry-run.sh built the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-localhost/entra-perms:dry-run}
engine=$(command -v podman || command -v docker || true)
[ -n "$engine" ] || { echo "no container engine: apt-get install podman runc" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) arch=amd64 target=x86_64-unknown-linux-musl ;;
  aarch64) arch=arm64 target=aarch64-unknown-linux-musl ;;
  *) echo "no release binary for $(uname -m)" >&2; exit 2 ;;
esac
binary="target/$target/release/entra-perms"
[ -f "$binary" ] || cargo build --release --locked --target "$target"
rm -rf dist/container
mkdir -p "dist/container/$arch"
cp "$binary" "dist/container/$arch/entra-perms"
cp /etc/ssl/certs/ca-certificates.crt dist/container/ca-certificates.crt
trap 'rm -rf dist/container; rmdir dist 2>/dev/null || true' EXIT
# Sandboxes without cgroup controllers run podman with runc and cgroupfs.
run=("$engine")
if [ "$(basename "$engine")" = podman ] && command -v runc >/dev/null 2>&1; then
  run+=(--runtime runc --cgroup-manager cgroupfs)
fi
"${run[@]}" build --build-arg BINARY=prebuilt --build-arg TARGETARCH="$arch" -t "$image" .
echo
"${run[@]}" image inspect "$image" --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} size={{.Size}} bytes'
"${run[@]}" run --rm "$image" --version
echo "An audit of examples/all-granted.json, mounted read-only:"
"${run[@]}" run --rm -v "$PWD/examples:/examples:ro" "$image" audit --from /examples/all-granted.json --format json |
  grep -E '"(passed|schemaVersion)"'
echo "The image holds no shell:"
if "${run[@]}" run --rm --entrypoint /bin/sh "$image" -c true 2>/dev/null; then
  echo "a shell ran in the image" >&2
  exit 1
fi
echo "  none (as intended)"
