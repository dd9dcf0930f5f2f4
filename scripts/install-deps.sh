#!/usr/bin/env bash
# Installs what kubette's tests need on Debian 12 and skips what is already there:
# etcd (server and etcdctl), the Docker Engine and docker-compose, a static busybox and
# debootstrap (for images built from local parts), iptables (the proxy), nginx with its stream
# module (the apiservers' balancer in the HA topology), openssl (the PKI's tests check certificates
# with it) and the official Python client. kubectl is expected on the PATH.
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || need+=(python3-kubernetes)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
busybox_linkage=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
case "$busybox_linkage" in *"not a dynamic"*) ;; *) need+=(busybox-static) ;; esac

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

command -v kubectl >/dev/null 2>&1 || { echo "kubectl is not on the PATH; install kubectl 1.32 first" >&2; exit 1; }
echo "etcd $(etcd --version | head -1 | awk '{print $3}'), $(kubectl version --client 2>/dev/null | head -1)"
