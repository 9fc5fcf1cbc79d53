#!/usr/bin/env bash
# Serve the product: the background worker plus the web server (gunicorn, scripts/gunicorn.conf.py); Ctrl-C stops
# both. DEV_SERVER=1 runs Django's development server instead (one process, reloads nothing, for debugging).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/buurtbalans" run_worker &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "Buurtbalans: http://${HOST:-127.0.0.1}:${PORT:-8000}/  (Ctrl-C stops)"
if [ "${DEV_SERVER:-0}" = "1" ]; then
  "$BIN/buurtbalans" runserver --noreload "${HOST:-127.0.0.1}:${PORT:-8000}"
else
  HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}" "$BIN/gunicorn" --config scripts/gunicorn.conf.py buurtbalans.wsgi
fi
