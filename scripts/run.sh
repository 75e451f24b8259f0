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
# The rate links printed by `demo load` (and handed out by the API) open the pages served below.
export RATE_BASE_URL="${RATE_BASE_URL:-http://127.0.0.1:$PORT/rate/}"
flask=(.venv/bin/flask --app wsgi)

log "applying migrations (flask db upgrade)"
"${flask[@]}" db upgrade

log "loading demo data (flask demo load)"
"${flask[@]}" demo load

log "ensuring active NLP models (flask nlp bootstrap; trains the defaults on first run)"
"${flask[@]}" nlp bootstrap

background=()
if [[ -z ${REDIS_URL:-} ]]; then
    # Embedded mode: no RQ cron, so the periodic jobs (ticket sweep, rollups, requeue) run here.
    log "starting the in-process scheduler for periodic jobs (flask jobs scheduler)"
    "${flask[@]}" jobs scheduler > instance/scheduler.log 2>&1 &
    background+=($!)
else
    # With Redis: the dispatcher hands pending reviews to RQ in batches; the worker (which restarts
    # its RQ loop by itself when Redis comes back, and runs RQ's scheduler for delayed retries)
    # does the jobs; rq cron enqueues the periodic ones. Logs in instance/.
    log "starting the dispatcher, one RQ worker and rq cron (logs in instance/)"
    "${flask[@]}" jobs dispatcher > instance/dispatcher.log 2>&1 &
    background+=($!)
    "${flask[@]}" jobs worker > instance/worker.log 2>&1 &
    background+=($!)
    .venv/bin/rq cron workers.cron_config --url "$REDIS_URL" > instance/cron.log 2>&1 &
    background+=($!)
fi
trap 'kill "${background[@]}" 2>/dev/null || true' EXIT

log "serving on http://127.0.0.1:$PORT/ (Ctrl-C to stop); rating pages: ${RATE_BASE_URL}<token>," \
    "公示: http://127.0.0.1:$PORT/public/"
.venv/bin/gunicorn -w 2 -b "127.0.0.1:$PORT" wsgi:app
