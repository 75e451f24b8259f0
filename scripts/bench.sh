#!/usr/bin/env bash
# Run every benchmark: each bench/<name>/run.py as `python -m bench.<name>.run`, with the
# throwaway Redis and PostgreSQL of scripts/services.sh (TEST_DATABASE_URL, TEST_REDIS_URL).
# Arguments pick benchmarks by name: `scripts/bench.sh ingest nlp`. Results are the benchmarks'
# own business (bench/results/).
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

names=()
if [[ $# -gt 0 ]]; then
    for name in "$@"; do
        [[ -f bench/$name/run.py ]] || die "no benchmark bench/$name/run.py"
        names+=("$name")
    done
else
    for run in bench/*/run.py; do
        [[ -f $run ]] || continue
        names+=("$(basename "$(dirname "$run")")")
    done
fi
[[ ${#names[@]} -gt 0 ]] || die "no benchmarks found (bench/*/run.py)"

bash scripts/venv.sh

source scripts/services.sh
trap services_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
services_start
unset DATABASE_URL REDIS_URL

failed=()
for name in "${names[@]}"; do
    log "benchmark $name: python -m bench.$name.run"
    start=$SECONDS
    if .venv/bin/python -m "bench.$name.run"; then
        log "benchmark $name finished in $((SECONDS - start))s"
    else
        warn "benchmark $name failed (exit $?)"
        failed+=("$name")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    die "failed benchmarks: ${failed[*]}"
fi
log "all ${#names[@]} benchmark(s) passed"
