#!/usr/bin/env bash
# npm start: installs what is missing, builds and packages the extension, and opens it in a real VS Code
# (code-server) served on 127.0.0.1 with a sample Markdown post. Prints the address; Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent package
bash scripts/e2e/ensure-code-server.sh >/dev/null
exec node scripts/start.mjs
