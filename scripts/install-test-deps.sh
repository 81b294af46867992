#!/usr/bin/env bash
# Installs what the tests need beyond npm: the real Prometheus, promtool,
# Alertmanager and amtool, from Debian's packages. Idempotent; needs root
# (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null && command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packages start their services where an init system runs; the tests
# start their own instances on other ports, so those may stay.
promtool --version | head -1
amtool --version 2>&1 | head -1
