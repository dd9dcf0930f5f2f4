#!/usr/bin/env bash
# Builds, from local parts only, the images a kubette cluster and its tests need, for machines
# with no registry (air-gapped installs). Machines with a registry pull real images instead;
# nothing in kubette depends on this script.
#
#   busybox:1.36      /bin/busybox (Debian's busybox-static) and its applets
#   kubette/pause:3.9 the pod infrastructure container: holds the pod's namespaces, exits on TERM
#
# Usage: scripts/build-images.sh   (needs docker and /bin/busybox; idempotent)
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
