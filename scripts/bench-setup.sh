#!/usr/bin/env bash
# Installs what the load harness (bench/) needs besides Rust, idempotently: wrk, the load
# generator for page mode, and nginx-light, the static server pages are compared with.
# The harness runs nginx itself on a loopback port with its own configuration; the
# package's own service is not needed.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench-setup: installing ${missing[*]}"
  as_root apt-get update -qq
  # Keep the package's own nginx service from starting on port 80.
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null || status=$?
  as_root rm -f /usr/sbin/policy-rc.d
  [ "${status:-0}" -eq 0 ] || exit "$status"
fi
echo "bench-setup: ready (wrk $(wrk --version 2>&1 | head -n 1 | awk '{print $2}'), $(/usr/sbin/nginx -v 2>&1))"
