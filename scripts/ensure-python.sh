#!/usr/bin/env bash
# The training pipeline's Python environment: models/training/requirements.txt (exact versions) installed into a
# virtual environment kept in a cache outside the clone, keyed by that file's hash, so that a new clone and CI
# reuse it (a fresh install is ~1.1 GB and a few minutes). .venv in the repository links to it.
# Prints nothing when the environment is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=models/training/requirements.txt
KEY=$(sha256sum "$REQ" | cut -c1-12)
CACHE="${AC_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/attention-companion}"
VENV="$CACHE/venv-$KEY"
if [ ! -x "$VENV/bin/python" ] || [ ! -f "$VENV/.complete" ]; then
  echo "Creating the pipeline's Python environment in $VENV"
  python3 -m venv --help >/dev/null 2>&1 || {
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  }
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  # No retries against an index that cannot be reached: the wheels come from the machine's own indexes.
  PIP_RETRIES="${PIP_RETRIES:-0}" PIP_DEFAULT_TIMEOUT="${PIP_DEFAULT_TIMEOUT:-30}" \
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  touch "$VENV/.complete"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$VENV" ]; then
  rm -rf .venv
  ln -s "$VENV" .venv
fi
