#!/usr/bin/env bash
# Starts dockerd when no Docker Engine answers (Debian's package does not start it here), and
# waits until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "dockerd is not running and starting it needs root" >&2; exit 1; fi
nohup dockerd >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && { echo "dockerd $(docker version --format '{{.Server.Version}}')"; exit 0; }
  sleep 1
done
echo "dockerd did not start; see /var/log/dockerd.log" >&2
exit 1
