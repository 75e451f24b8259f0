#!/usr/bin/env bash
# The one run command: migrate, load the demo data, make sure an NLP model is active, then serve
# with gunicorn on 127.0.0.1:${PORT:-8000}. Uses the embedded defaults (SQLite in instance/,
# jobs inline) unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

bash scripts/venv.sh

export FLASK_APP=wsgi
PORT="${PORT:-8000}"
flask=(.venv/bin/flask --app wsgi)

log "applying migrations (flask db upgrade)"
"${flask[@]}" db upgrade

log "loading demo data (flask demo load)"
"${flask[@]}" demo load

# `nlp bootstrap` may not exist yet; skip it rather than fail until the app provides it.
if "${flask[@]}" nlp --help 2>/dev/null | grep -qE '^[[:space:]]+bootstrap([[:space:]]|$)'; then
    log "ensuring an active NLP model (flask nlp bootstrap)"
    "${flask[@]}" nlp bootstrap
else
    warn "'flask nlp bootstrap' not available yet; skipping model bootstrap"
fi

log "serving on http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
exec .venv/bin/gunicorn -w 2 -b "127.0.0.1:$PORT" wsgi:app
