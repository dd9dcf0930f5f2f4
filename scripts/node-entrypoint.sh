#!/bin/sh
# The image's entry point: starts a component's script with its heap flags, the ones
# component-base/heap.ts nodeFlags() gives the launcher and the tests (a unit test keeps the
# two the same): a 4 MB young generation for the apiserver, 2 MB for every other component. Its malloc settings are component-base/heap.ts MALLOC_ENV; a value
# already in the environment wins.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX-1}"
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072}"
# Compose starts components before the pki job has finished: one that needs files another job
# makes (the certificates) is told their marker in KUBETTE_WAIT_FOR and waits for it here.
if [ -n "${KUBETTE_WAIT_FOR:-}" ] && [ ! -e "$KUBETTE_WAIT_FOR" ]; then
  echo "waiting for $KUBETTE_WAIT_FOR" >&2
  while [ ! -e "$KUBETTE_WAIT_FOR" ]; do sleep 0.05; done
fi
case "$1" in
  dist/apiserver/main.js) exec node --max-semi-space-size=4 "$@" ;;
  *) exec node --max-semi-space-size=2 "$@" ;;
esac
