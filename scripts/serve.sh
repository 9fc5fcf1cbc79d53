#!/usr/bin/env bash
# Serve the product: the background worker plus the web server; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/buurtbalans" run_worker &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "Buurtbalans: http://${HOST:-127.0.0.1}:${PORT:-8000}/  (Ctrl-C stops)"
"$BIN/buurtbalans" runserver --noreload "${HOST:-127.0.0.1}:${PORT:-8000}"
