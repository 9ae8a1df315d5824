#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) into a cache folder outside the project's
# node_modules, for the end-to-end tests; reuses it when the version stamp matches. Also makes sure
# Debian's chromium, a Korean font and the native build prerequisites are present.
#
#   bash scripts/e2e/ensure-code-server.sh      # prints the path of the code-server launcher on its last line
#
# Environment: AC_CACHE  cache folder (default: <repo>/.cache/code-server, git-ignored)
#
# Recipe: ../shared/notes/vscode-e2e.md, option B: code-server 4.100.3 (VS Code 1.100.3), the newest that
# accepts Node 20. Its @vscode/ripgrep postinstall downloads from GitHub (unreachable here); it reuses a cached
# tarball, which we seed from Debian's ripgrep.
set -euo pipefail

CS_VERSION=4.100.3
RG_CACHE_VERSION=1.15.11                                    # @vscode/ripgrep's cache folder suffix
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${AC_CACHE:-$repo/.cache/code-server}"
stamp="$cache/.installed"
want="code-server@$CS_VERSION node=$(node -p 'process.versions.modules') $(uname -m)"
launcher="$cache/node_modules/code-server/out/node/entry.js"

log() { echo "[ensure-code-server] $*" >&2; }

# ---- Debian packages: chromium (browser), ripgrep (seed), libkrb5-dev (kerberos native build), build tools.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/rg ] || need+=(ripgrep)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# A Korean font, or Hangul shows as empty boxes in the screenshots (the DOM text is right either way).
fc-list :lang=ko 2>/dev/null | grep -q . || need+=(fonts-nanum)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$launcher" ]; then
  log "reusing $cache ($want)"
  echo "$launcher"
  exit 0
fi

start=$(date +%s)
log "installing code-server@$CS_VERSION into $cache (a few minutes the first time)"
rm -rf "$cache"
mkdir -p "$cache"
# Own package.json so npm treats the cache folder as the project, not the repo above it.
cat > "$cache/package.json" <<'EOF'
{ "name": "ac-e2e-code-server", "private": true, "description": "test tool cache for the e2e tests; not a dependency" }
EOF

# Seed @vscode/ripgrep's download cache from Debian's rg (its postinstall cannot reach GitHub).
rgdir="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_CACHE_VERSION"
if [ ! -s "$rgdir/$RG_TARBALL" ]; then
  mkdir -p "$rgdir"
  tmp="$(mktemp -d)"
  cp /usr/bin/rg "$tmp/rg"
  tar czf "$rgdir/$RG_TARBALL" -C "$tmp" rg
  rm -rf "$tmp"
fi

# yes=true: the npmrc here has yes=false and node-pty's postinstall runs `npx node-gyp`.
# --unsafe-perm: install scripts run as root.
( cd "$cache" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
    "code-server@$CS_VERSION" >&2 )

[ -f "$launcher" ] || { log "code-server launcher missing after install: $launcher"; exit 1; }
# The ripgrep binary must be there, or search (and some workbench parts) break.
rgbin="$(find "$cache/node_modules/code-server" -path '*@vscode/ripgrep/bin/rg' -print -quit 2>/dev/null || true)"
[ -n "$rgbin" ] || log "warning: no @vscode/ripgrep/bin/rg found under code-server"
echo "$want" > "$stamp"
log "installed in $(( $(date +%s) - start )) s ($(du -sh "$cache" | cut -f1))"
echo "$launcher"
