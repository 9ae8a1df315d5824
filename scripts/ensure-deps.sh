#!/usr/bin/env bash
# Installs what the build and the product need when missing: npm packages and Debian packages. The tests also need
# the training pipeline's pinned Python environment: scripts/ensure-python.sh (npm test runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/onnxruntime-web ] && [ -d node_modules/esbuild ] || npm ci --no-audit --no-fund
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
