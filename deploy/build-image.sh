#!/usr/bin/env bash
# Build the Pushback image where no Docker engine runs and no image registry can be reached:
#   1. make a Debian bookworm base (python3, venv, CA certificates) with debootstrap, from this machine's own apt
#      mirror (or $DEBIAN_MIRROR), and import it into buildah as localhost/pushback-base:bookworm (once; cached);
#   2. build the top-level Dockerfile on it with buildah (chroot isolation, vfs storage, Docker format so that
#      HEALTHCHECK is kept).
# Usage: sudo deploy/build-image.sh [tag]      (default tag: localhost/pushback:latest)
# Needs: root, debootstrap and buildah (apt-get install -y debootstrap buildah). Caches under deploy/.cache/.
# pip inside the build reaches the package index the way this machine does: the CA bundle pip trusts here and any
# http(s) index URLs from the environment or pip's configuration are passed as build arguments; proxy variables
# are passed by buildah itself.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-localhost/pushback:latest}"
cache="deploy/.cache"
rootfs="$cache/rootfs-bookworm"
base="localhost/pushback-base:bookworm"
buildah=(buildah --storage-driver vfs)

for tool in debootstrap buildah; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is not installed (apt-get install -y $tool)" >&2; exit 3; }
done
if [ "$(id -u)" != 0 ]; then
  echo "build-image: run as root (debootstrap and buildah's chroot isolation need it)" >&2
  exit 3
fi

started=$SECONDS
if ! "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  if [ ! -x "$rootfs/usr/bin/python3" ]; then
    mirror="${DEBIAN_MIRROR:-$( (grep -rhoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ \
      2>/dev/null || true) | awk '{print $2}' | grep -E '/debian/?$' | head -n1)}"
    if [ -z "$mirror" ]; then
      echo "build-image: no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR" >&2
      exit 3
    fi
    echo "build-image: debootstrap bookworm from $mirror into $rootfs"
    rm -rf "$rootfs"
    mkdir -p "$cache"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" "$mirror"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  fi
  echo "build-image: importing the base as $base"
  tar -C "$rootfs" -cf "$cache/rootfs.tar" .
  container=$("${buildah[@]}" from scratch)
  trap '"${buildah[@]}" rm "$container" >/dev/null 2>&1 || true; rm -f "$cache/rootfs.tar"' EXIT
  "${buildah[@]}" add "$container" "$cache/rootfs.tar" /
  "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd /bin/bash "$container"
  "${buildah[@]}" commit --rm "$container" "$base"
  trap - EXIT
  rm -f "$cache/rootfs.tar"
  echo "build-image: base $base ready in $((SECONDS - started))s"
else
  echo "build-image: reusing the base $base (buildah --storage-driver vfs rmi $base to remake it)"
fi

# How pip reaches the index from here. Only http(s) URLs travel: file:// indexes are paths on this machine.
pip_setting() {  # environment variable, then pip's own configuration
  local value="${!1:-}"
  if [ -z "$value" ] && command -v python3 >/dev/null; then
    value=$(python3 -m pip config get "$2" 2>/dev/null || true)
  fi
  printf '%s\n' "$value" | tr ' ' '\n' | grep -E '^https?://' | paste -sd' ' - || true
}
build_args=(--build-arg "BASE_IMAGE=$base")
index_url=$(pip_setting PIP_INDEX_URL global.index-url)
extra_index_urls=$(pip_setting PIP_EXTRA_INDEX_URL global.extra-index-url)
[ -n "$index_url" ] && build_args+=(--build-arg "PIP_INDEX_URL=$index_url")
[ -n "$extra_index_urls" ] && build_args+=(--build-arg "PIP_EXTRA_INDEX_URL=$extra_index_urls")
[ -n "${PIP_TRUSTED_HOST:-}" ] && build_args+=(--build-arg "PIP_TRUSTED_HOST=$PIP_TRUSTED_HOST")

host_ca="${PIP_CERT:-}"
[ -z "$host_ca" ] && command -v python3 >/dev/null && host_ca=$(python3 -m pip config get global.cert 2>/dev/null || true)
[ -z "$host_ca" ] && host_ca="${SSL_CERT_FILE:-${REQUESTS_CA_BUNDLE:-}}"
if [ -n "$host_ca" ] && [ -f "$host_ca" ]; then
  # This machine may reach the index through a proxy whose CA only the host trusts: lend its bundle to pip.
  build_args+=(--volume "$(realpath "$host_ca"):/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt)
fi

echo "build-image: building $tag on $base"
started=$SECONDS
previous=$("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' "$tag" 2>/dev/null || true)
"${buildah[@]}" bud --isolation chroot --format docker --layers=false "${build_args[@]}" -t "$tag" -f Dockerfile .
echo "build-image: built $tag in $((SECONDS - started))s"
if [ -n "$previous" ] && [ "$previous" != "$("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' "$tag")" ]; then
  "${buildah[@]}" rmi "$previous" >/dev/null 2>&1 || true  # the image this tag named before, unless still in use
fi
"${buildah[@]}" images "$tag"
