#!/usr/bin/env bash
# The one test command: the same suite on the embedded SQLite default and on PostgreSQL, both
# with a throwaway Redis. Extra arguments go to pytest, run from the repository root:
# `scripts/test.sh tests/api -x`.
# TEST_BACKENDS="sqlite" (or "postgresql") runs only one of them; the default runs both.
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

read -r -a backends <<<"${TEST_BACKENDS:-sqlite postgresql}"
for backend in "${backends[@]}"; do
    [[ $backend == sqlite || $backend == postgresql ]] \
        || die "unknown backend in TEST_BACKENDS: $backend (use sqlite and/or postgresql)"
done

bash scripts/venv.sh

# The browser tests (tests/browser) drive Debian's Chromium through its ChromeDriver; install them
# where missing, like redis-server. With REQUIRE_BROWSER=1 a missing browser fails those tests.
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    apt_install chromium chromium-driver || die "could not install chromium and chromium-driver"
fi
export REQUIRE_BROWSER=1

source scripts/services.sh
trap services_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
services_start

# The tests choose their database from TEST_DATABASE_URL alone; a developer's own DATABASE_URL or
# REDIS_URL must never reach them (the tests drop and create tables).
unset DATABASE_URL REDIS_URL

run_pytest() {  # backend, then pytest args; sets pytest_rc
    local backend=$1 db_url=$2
    shift 2
    log "pytest on $backend: TEST_DATABASE_URL=${db_url:-<unset: embedded SQLite>}" \
        "TEST_REDIS_URL=$TEST_REDIS_URL"
    pytest_rc=0
    if [[ -n $db_url ]]; then
        TEST_DATABASE_URL="$db_url" .venv/bin/python -m pytest -q -p no:cacheprovider "$@" \
            || pytest_rc=$?
    else
        env -u TEST_DATABASE_URL .venv/bin/python -m pytest -q -p no:cacheprovider "$@" \
            || pytest_rc=$?
    fi
}

PG_URL="$TEST_DATABASE_URL"
declare -A results=()
for backend in "${backends[@]}"; do
    if [[ $backend == postgresql ]]; then db_url="$PG_URL"; else db_url=""; fi
    start=$SECONDS
    run_pytest "$backend" "$db_url" "$@"
    results[$backend]="$pytest_rc $((SECONDS - start))"
done

failed=0
echo
for backend in "${backends[@]}"; do
    read -r rc secs <<<"${results[$backend]}"
    case "$rc" in
        0) echo "$backend: PASSED (${secs}s)" ;;
        5) echo "$backend: FAILED - no tests collected (pytest exit 5) (${secs}s)"; failed=1 ;;
        *) echo "$backend: FAILED (pytest exit $rc) (${secs}s)"; failed=1 ;;
    esac
done
exit "$failed"
