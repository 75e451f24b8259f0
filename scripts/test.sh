#!/usr/bin/env bash
# The one test command: the same suite on the embedded SQLite default and on PostgreSQL, both
# with a throwaway Redis. Extra arguments go to pytest, run from the repository root:
# `scripts/test.sh tests/api -x` (then only that runs, on each backend).
# TEST_BACKENDS="sqlite" (or "postgresql") runs only one of them; the default runs both.
# Without arguments three steps run (TEST_STEPS="suite fuzz clock" picks some):
#   suite  the whole suite but the fuzzer, on each backend
#   fuzz   schemathesis over the OpenAPI document (tests/fuzz), on each backend (`make fuzz`)
#   clock  the date-sensitive tests (api, domain, workers) on SQLite with the suite's clock set to
#          a month and year boundary: 2026-12-31T17:00Z (already Jan 1st in Shanghai) and
#          2027-01-01T00:30+08:00
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
        "TEST_REDIS_URL=$TEST_REDIS_URL ${TEST_CLOCK:+TEST_CLOCK=$TEST_CLOCK}"
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
CLOCKS=("2026-12-31T17:00:00Z" "2027-01-01T00:30:00+08:00")
if [[ $# -gt 0 ]]; then default_steps="suite"; else default_steps="suite fuzz clock"; fi
read -r -a steps <<<"${TEST_STEPS:-$default_steps}"
declare -A results=()
runs=()
record() {  # name start
    results[$1]="$pytest_rc $((SECONDS - $2))"
    runs+=("$1")
}
for step in "${steps[@]}"; do
    case "$step" in
        suite|fuzz)
            if [[ $step == fuzz ]]; then args=(tests/fuzz); elif [[ $# -gt 0 ]]; then args=("$@")
            else args=(tests --ignore=tests/fuzz); fi
            for backend in "${backends[@]}"; do
                if [[ $backend == postgresql ]]; then db_url="$PG_URL"; else db_url=""; fi
                start=$SECONDS
                run_pytest "$backend" "$db_url" "${args[@]}"
                record "$step/$backend" "$start"
            done ;;
        clock)
            for clock in "${CLOCKS[@]}"; do
                start=$SECONDS
                TEST_CLOCK="$clock" run_pytest "sqlite at $clock" "" tests/api tests/domain tests/workers
                record "clock/$clock" "$start"
            done ;;
        *) die "unknown step in TEST_STEPS: $step (use suite, fuzz, clock)" ;;
    esac
done

failed=0
echo
for run in "${runs[@]}"; do
    read -r rc secs <<<"${results[$run]}"
    case "$rc" in
        0) echo "$run: PASSED (${secs}s)" ;;
        5) echo "$run: FAILED - no tests collected (pytest exit 5) (${secs}s)"; failed=1 ;;
        *) echo "$run: FAILED (pytest exit $rc) (${secs}s)"; failed=1 ;;
    esac
done
exit "$failed"
