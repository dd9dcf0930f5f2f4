#!/usr/bin/env bash
# Builds, from local parts only, the images a kubette cluster and its tests need, for machines
# with no registry (air-gapped installs). Machines with a registry pull real images instead;
# nothing in kubette depends on this script.
#
#   busybox:1.36      /bin/busybox (Debian's busybox-static) and its applets
#   kubette/pause:3.9 the pod infrastructure container: holds the pod's namespaces, exits on TERM
#
#   with --all, also what `docker compose` runs:
#   kubette/debian:bookworm   a Debian minbase (debootstrap from Debian's mirror)
#   kubette/node:20-bookworm  that plus this machine's Node.js and npm
#   kubette/etcd:3.4          this machine's etcd and etcdctl (Debian's etcd-server/-client)
#   kubette/nginx:1.22        this machine's nginx and its stream module (the HA balancer)
#   kubette/kubette:dev       the component image, built from ./Dockerfile on kubette/node
#
# Usage: scripts/build-images.sh [--all]   (needs docker and /bin/busybox; idempotent)
set -euo pipefail

BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
[ -n "$BUSYBOX" ] || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
linkage=$(LC_ALL=C ldd "$BUSYBOX" 2>&1 || true)
echo "$linkage" | grep -qE 'not a dynamic|statically linked' || {
  echo "$BUSYBOX is not statically linked: install busybox-static" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rootfs() {
  local dir=$1
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/var/www" "$dir/root"
  cp "$BUSYBOX" "$dir/bin/busybox"
  # Every applet this busybox has (sh, sleep, httpd, wget, nc, touch, tr, ...), as in the real image.
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  chmod 1777 "$dir/tmp"
}

# Images carry a fingerprint of this script and the busybox binary: a change to either rebuilds them.
fingerprint=$(cat "$0" "$BUSYBOX" | sha256sum | cut -c1-16)

build() {
  local name=$1 dir=$2; shift 2
  local have
  have=$(docker image inspect --format '{{ index .Config.Labels "io.kubette.build" }}' "$name" 2>/dev/null || true)
  if [ "$have" = "$fingerprint" ] && [ "${REBUILD:-}" != 1 ]; then
    echo "$name: present"
    return
  fi
  local old
  old=$(docker image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  tar -C "$dir" -c . | docker import --change "LABEL io.kubette.build=$fingerprint" "$@" - "$name" >/dev/null
  # The replaced build is now untagged: drop it unless a container still uses it.
  [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true
  echo "$name: built"
}

rootfs "$work/busybox"
build busybox:1.36 "$work/busybox" --change 'CMD ["sh"]' --change 'ENV PATH=/bin'

rootfs "$work/pause"
cat > "$work/pause/pause.sh" <<'PAUSE'
#!/bin/sh
# Holds the pod's network namespace; leaves promptly when asked to.
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
PAUSE
chmod +x "$work/pause/pause.sh"
build kubette/pause:3.9 "$work/pause" --change 'ENTRYPOINT ["/pause.sh"]' --change 'ENV PATH=/bin'

[ "${1:-}" = --all ] || exit 0

# --- the images `docker compose` runs, from local parts -----------------------------------
here=$(cd "$(dirname "$0")/.." && pwd)

if ! docker image inspect kubette/debian:bookworm >/dev/null 2>&1 || [ "${REBUILD:-}" = 1 ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap" >&2; exit 1; }
  debootstrap --variant=minbase bookworm "$work/debian" http://deb.debian.org/debian >/dev/null
  # The downloaded packages, package lists, docs and translations are not needed to run anything.
  rm -rf "$work/debian"/var/cache/apt/archives/*.deb "$work/debian"/var/lib/apt/lists/* \
    "$work/debian"/usr/share/doc/* "$work/debian"/usr/share/man/* "$work/debian"/usr/share/locale/*
  tar -C "$work/debian" -c . | docker import --change 'CMD ["bash"]' - kubette/debian:bookworm >/dev/null
  echo "kubette/debian:bookworm: built"
else
  echo "kubette/debian:bookworm: present"
fi

NODE=$(command -v node)
node_fingerprint=$( (cat "$NODE"; docker image inspect --format '{{.Id}}' kubette/debian:bookworm) | sha256sum | cut -c1-16)
have=$(docker image inspect --format '{{ index .Config.Labels "io.kubette.build" }}' kubette/node:20-bookworm 2>/dev/null || true)
if [ "$have" != "$node_fingerprint" ] || [ "${REBUILD:-}" = 1 ]; then
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$work/node/usr/local/bin" "$work/node/usr/local/lib/node_modules"
  cp "$NODE" "$work/node/usr/local/bin/node"
  cp -a "$npm_dir" "$work/node/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
  # This machine reaches npm only through a TLS-intercepting proxy: trust what the host trusts.
  mkdir -p "$work/node/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/usr/local/share/host-ca-bundle.crt"
  cat > "$work/node/Dockerfile" <<'NODE_DOCKERFILE'
FROM kubette/debian:bookworm
COPY usr /usr
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca-bundle.crt
NODE_DOCKERFILE
  docker build -q --label "io.kubette.build=$node_fingerprint" -t kubette/node:20-bookworm "$work/node" >/dev/null
  echo "kubette/node:20-bookworm: built"
else
  echo "kubette/node:20-bookworm: present"
fi

ETCD=$(command -v etcd || true)
[ -n "$ETCD" ] || { echo "etcd not found: apt-get install etcd-server etcd-client" >&2; exit 1; }
# Debian's etcd is linked against glibc: it goes on the Debian base.
etcd_fingerprint=$( (cat "$ETCD" "$(command -v etcdctl)" "$here/scripts/etcd-image/etcdctl"; docker image inspect --format "{{.Id}}" kubette/debian:bookworm) | sha256sum | cut -c1-16)
have=$(docker image inspect --format '{{ index .Config.Labels "io.kubette.build" }}' kubette/etcd:3.4 2>/dev/null || true)
if [ "$have" != "$etcd_fingerprint" ] || [ "${REBUILD:-}" = 1 ]; then
  mkdir -p "$work/etcd"
  cp "$ETCD" "$work/etcd/"
  cp "$(command -v etcdctl)" "$work/etcd/etcdctl.3.4"
  # etcdctl restores into an empty volume as etcd 3.5's does (see the wrapper's comment).
  cp "$here/scripts/etcd-image/etcdctl" "$work/etcd/etcdctl"
  printf 'FROM kubette/debian:bookworm\nCOPY etcd etcdctl etcdctl.3.4 /usr/local/bin/\nENTRYPOINT ["/usr/local/bin/etcd"]\n' > "$work/etcd/Dockerfile"
  docker build -q --label "io.kubette.build=$etcd_fingerprint" -t kubette/etcd:3.4 "$work/etcd" >/dev/null
  echo "kubette/etcd:3.4: built"
else
  echo "kubette/etcd:3.4: present"
fi

NGINX=$(command -v nginx || true)
STREAM=/usr/lib/nginx/modules/ngx_stream_module.so
[ -n "$NGINX" ] && [ -f "$STREAM" ] || { echo "nginx not found: apt-get install nginx-light libnginx-mod-stream" >&2; exit 1; }
nginx_fingerprint=$( (cat "$NGINX" "$STREAM"; docker image inspect --format "{{.Id}}" kubette/debian:bookworm) | sha256sum | cut -c1-16)
have=$(docker image inspect --format '{{ index .Config.Labels "io.kubette.build" }}' kubette/nginx:1.22 2>/dev/null || true)
if [ "$have" != "$nginx_fingerprint" ] || [ "${REBUILD:-}" = 1 ]; then
  # The binary, its module, and the libraries they link that the Debian minbase lacks (OpenSSL).
  mkdir -p "$work/nginx/root/usr/sbin" "$work/nginx/root/usr/lib/nginx/modules" "$work/nginx/root/etc/nginx/modules-enabled" \
    "$work/nginx/root/var/log/nginx" "$work/nginx/root/var/lib/nginx" "$work/nginx/root/usr/lib/x86_64-linux-gnu"
  cp "$NGINX" "$work/nginx/root/usr/sbin/nginx"
  cp "$STREAM" "$work/nginx/root/usr/lib/nginx/modules/"
  echo "load_module $STREAM;" > "$work/nginx/root/etc/nginx/modules-enabled/50-mod-stream.conf"
  for lib in $(ldd "$NGINX" | awk '/=> \// {print $3}' | grep -E 'libssl|libcrypto'); do cp -L "$lib" "$work/nginx/root/usr/lib/x86_64-linux-gnu/"; done
  printf 'FROM kubette/debian:bookworm\nCOPY root /\nENTRYPOINT ["/usr/sbin/nginx"]\nCMD ["-g", "daemon off;"]\n' > "$work/nginx/Dockerfile"
  docker build -q --label "io.kubette.build=$nginx_fingerprint" -t kubette/nginx:1.22 "$work/nginx" >/dev/null
  echo "kubette/nginx:1.22: built"
else
  echo "kubette/nginx:1.22: present"
fi

docker build -q --build-arg NODE_IMAGE=kubette/node:20-bookworm -t kubette/kubette:dev "$here" >/dev/null
echo "kubette/kubette:dev: built"

# Compose reads .env from the project folder: point it at the local images.
cat > "$here/.env" <<ENV
# Written by scripts/build-images.sh --all: docker compose uses the images built from local parts.
KUBETTE_NODE_IMAGE=kubette/node:20-bookworm
KUBETTE_ETCD_IMAGE=kubette/etcd:3.4
KUBETTE_PAUSE_IMAGE=kubette/pause:3.9
KUBETTE_NGINX_IMAGE=kubette/nginx:1.22
ENV
echo ".env: written (compose uses the local images)"
