#!/usr/bin/env bash
# Throwaway Redis and PostgreSQL for tests and benchmarks: free ports on 127.0.0.1, temp dirs,
# no persistence, everything removed by `stop`.
#
# Sourced (what scripts/test.sh does):
#     source scripts/services.sh
#     trap services_stop EXIT
#     services_start            # exports TEST_DATABASE_URL, TEST_REDIS_URL, FEEDBACK_SERVICES_DIR
#
# As a command:
#     eval "$(scripts/services.sh start)"   # prints `export ...` lines on stdout, logs on stderr
#     scripts/services.sh status [DIR]
#     scripts/services.sh stop [DIR]        # DIR defaults to $FEEDBACK_SERVICES_DIR
#     scripts/services.sh list              # every instance on this machine (other shells' too)
#
# SERVICES_PG_DURABLE=1 starts PostgreSQL with fsync, synchronous_commit and full_page_writes on
# (the intake benchmark); by default they are off, which suits a throwaway test cluster.
#
# `stop` never guesses: other shells (and other people's test runs) may have their own instance.
#
# State (ports, dirs, pid files) lives in $FEEDBACK_SERVICES_DIR/state, written before each
# service starts so that `stop` also cleans up a start interrupted half-way (Ctrl-C, failure).

# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

SERVICES_DB_NAME="feedback_test"

_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_now() { date +%s.%N; }
_elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$1" "$(_now)"; }

# Commands that touch the cluster run as `postgres` (initdb refuses root), or as ourselves when
# we are not root. cd first: postgres may not be allowed into the caller's cwd.
_as_pg() {
    if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@")
    else "$@"
    fi
}

_pg_bindir() {
    local initdb dirs
    if initdb="$(command -v initdb)"; then
        dirname "$(readlink -f "$initdb")"
        return
    fi
    # shellcheck disable=SC2012
    dirs="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    if [[ -z $dirs ]]; then
        apt_install postgresql || die "could not install PostgreSQL"
        # shellcheck disable=SC2012
    dirs="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    fi
    [[ -n $dirs && -x $dirs/initdb ]] || die "no PostgreSQL binaries found"
    printf '%s\n' "$dirs"
}

_redis_ping() {
    local port=$1
    if command -v redis-cli >/dev/null; then
        [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]
    else
        python3 - "$port" <<'PY' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
    fi
}

# A daemon's exit leaves a zombie until init reaps it (seconds on some machines): count it as gone.
_pid_alive() {
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null || true)"
    [[ ${stat:0:1} != Z ]]
}

_wait_gone() {  # pid seconds
    local i
    for ((i = 0; i < $2 * 10; i++)); do _pid_alive "$1" || return 0; sleep 0.1; done
    return 1
}

_start_redis() {  # runs in a `set -e` subshell
    local dir=$1 rdir="$1/redis" port attempt i
    if ! command -v redis-server >/dev/null; then
        apt_install redis-server || die "could not install redis-server"
    fi
    mkdir -p "$rdir"
    for attempt in 1 2 3; do
        port="$(_free_port)"
        printf 'REDIS_PORT=%s\nREDIS_PIDFILE=%s\n' "$port" "$rdir/redis.pid" >>"$dir/state"
        log "starting redis-server on 127.0.0.1:$port (no persistence)"
        redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes \
            --save '' --appendonly no --dir "$rdir" \
            --daemonize yes --pidfile "$rdir/redis.pid" --logfile "$rdir/redis.log"
        for ((i = 0; i < 100; i++)); do
            if _redis_ping "$port"; then
                printf 'export TEST_REDIS_URL=%q\n' "redis://127.0.0.1:$port/0" >>"$dir/env"
                return 0
            fi
            sleep 0.1
        done
        warn "redis-server did not answer PING on port $port (attempt $attempt); log:"
        tail -n 20 "$rdir/redis.log" >&2 || true
        _stop_redis "$port" "$rdir/redis.pid"
    done
    die "redis-server failed to start"
}

_start_postgres() {  # runs in a `set -e` subshell
    local dir=$1 pgroot="$1/pg" bindir port attempt opts
    bindir="$(_pg_bindir)"
    mkdir -p "$pgroot/run"
    if [[ $EUID -eq 0 ]]; then chown -R postgres: "$pgroot"; fi
    printf 'PG_BINDIR=%s\nPG_DATA=%s\n' "$bindir" "$pgroot/data" >>"$dir/state"

    log "initdb $pgroot/data ($("$bindir/initdb" --version))"
    if ! _as_pg "$bindir/initdb" -D "$pgroot/data" -A trust -U postgres --encoding=UTF8 \
        --locale=C.UTF-8 >"$pgroot/initdb.log" 2>&1; then
        warn "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
        _as_pg rm -rf "$pgroot/data"
        _as_pg "$bindir/initdb" -D "$pgroot/data" -A trust -U postgres --encoding=UTF8 \
            --locale=C >"$pgroot/initdb.log" 2>&1 || { cat "$pgroot/initdb.log" >&2; die "initdb failed"; }
    fi

    for attempt in 1 2 3; do
        port="$(_free_port)"
        printf 'PG_PORT=%s\n' "$port" >>"$dir/state"
        opts="-p $port -k $pgroot/run -c listen_addresses=127.0.0.1 -c max_connections=200"
        if [[ ${SERVICES_PG_DURABLE:-} == 1 ]]; then
            # Benchmarks of writes (bench/intake): every commit reaches the disk, as in production.
            opts+=" -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
            log "starting PostgreSQL on 127.0.0.1:$port (durable: fsync and synchronous_commit on)"
        else
            opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            log "starting PostgreSQL on 127.0.0.1:$port (fsync off)"
        fi
        if _as_pg "$bindir/pg_ctl" -D "$pgroot/data" -l "$pgroot/postgres.log" -o "$opts" \
            -w -t 60 start >/dev/null; then
            if [[ -x $bindir/pg_isready ]]; then
                "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || die "pg_isready failed"
            fi
            "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$SERVICES_DB_NAME"
            printf 'export TEST_DATABASE_URL=%q\n' \
                "postgresql+psycopg://postgres@127.0.0.1:$port/$SERVICES_DB_NAME" >>"$dir/env"
            return 0
        fi
        warn "PostgreSQL failed to start on port $port (attempt $attempt); log:"
        tail -n 20 "$pgroot/postgres.log" >&2 || true
        _stop_postgres "$bindir" "$pgroot/data"
    done
    die "PostgreSQL failed to start"
}

_stop_redis() {  # port pidfile
    local port=$1 pidfile=$2 pid=""
    [[ -s $pidfile ]] && pid="$(<"$pidfile")"
    # SHUTDOWN NOSAVE answers at once; SIGTERM waits for the next idle tick (seconds).
    # Also covers an interrupted start whose pid file was not written yet.
    if [[ -n $port ]] && command -v redis-cli >/dev/null; then
        redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    if _pid_alive "$pid"; then
        _wait_gone "$pid" 1 || kill -TERM "$pid" 2>/dev/null || true
        _wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
    fi
}

_stop_postgres() {  # bindir datadir
    local bindir=$1 data=$2 pid=""
    [[ -s $data/postmaster.pid ]] || return 0
    pid="$(head -n1 "$data/postmaster.pid")"
    # Immediate shutdown: the cluster is thrown away, no checkpoint needed.
    _as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    if _pid_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        _wait_gone "$pid" 5 || true
    fi
}

services_start() {
    local parent="${TMPDIR:-/tmp}" dir t0 rc=0
    t0="$(_now)"
    unset FEEDBACK_SERVICES_DIR TEST_DATABASE_URL TEST_REDIS_URL
    # The cluster's owner must be able to reach the directory.
    if [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
        parent=/tmp
    fi
    dir="$(mktemp -d "$parent/feedback-services.XXXXXX")"
    chmod 755 "$dir"
    : >"$dir/state"
    printf 'export FEEDBACK_SERVICES_DIR=%q\n' "$dir" >"$dir/env"
    export FEEDBACK_SERVICES_DIR="$dir"

    ( set -euo pipefail; trap "exit 130" INT TERM; _start_redis "$dir"; _start_postgres "$dir" ) \
        || rc=$?
    if [[ $rc -ne 0 ]]; then
        warn "service start failed (exit $rc); cleaning up"
        services_stop
        return "$rc"
    fi
    # shellcheck disable=SC1091
    source "$dir/env"
    log "services up in $(_elapsed "$t0"): TEST_REDIS_URL=$TEST_REDIS_URL" \
        "TEST_DATABASE_URL=$TEST_DATABASE_URL"
}

# Stops DIR, or this shell's instance ($FEEDBACK_SERVICES_DIR); never guesses, so a trap cannot
# stop services another shell started.
services_stop() {
    local dir="${1:-${FEEDBACK_SERVICES_DIR:-}}"
    if [[ -z $dir || ! -d $dir ]]; then
        log "no throwaway services to stop"
        unset FEEDBACK_SERVICES_DIR TEST_DATABASE_URL TEST_REDIS_URL
        return 0
    fi
    if [[ $(basename "$dir") != feedback-services.* || ! -f $dir/state ]]; then
        warn "$dir is not a services directory (no feedback-services.*/state); not touching it"
        return 1
    fi
    local REDIS_PORT="" REDIS_PIDFILE="" PG_BINDIR="" PG_DATA="" PG_PORT=""
    # shellcheck disable=SC1091
    source "$dir/state"
    log "stopping throwaway services in $dir"
    [[ -n $REDIS_PIDFILE ]] && _stop_redis "$REDIS_PORT" "$REDIS_PIDFILE"
    [[ -n $PG_DATA ]] && _stop_postgres "$PG_BINDIR" "$PG_DATA"
    rm -rf "$dir"
    unset FEEDBACK_SERVICES_DIR TEST_DATABASE_URL TEST_REDIS_URL
    return 0
}

services_status() {
    local dir="${1:-${FEEDBACK_SERVICES_DIR:-}}"
    [[ -n $dir && -f $dir/state ]] || { echo "no throwaway services (FEEDBACK_SERVICES_DIR unset)"; return 1; }
    local REDIS_PORT="" PG_BINDIR="" PG_PORT=""
    # shellcheck disable=SC1091
    source "$dir/state"
    echo "dir: $dir"
    if [[ -n $REDIS_PORT ]] && _redis_ping "$REDIS_PORT"; then echo "redis: up on $REDIS_PORT"
    else echo "redis: down"; fi
    if [[ -n $PG_PORT ]] && "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "postgres: up on $PG_PORT"
    else echo "postgres: down"; fi
    cat "$dir/env"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        start)
            # Clean up a half-started instance if we are interrupted.
            trap 'services_stop; exit 130' INT TERM
            services_start
            trap - INT TERM
            cat "$FEEDBACK_SERVICES_DIR/env"
            log "stop with: scripts/services.sh stop"
            ;;
        stop) services_stop "${2:-}" ;;
        status) services_status "${2:-}" ;;
        list)
            for state in /tmp/feedback-services.*/state "${TMPDIR:-/tmp}"/feedback-services.*/state; do
                [[ -f $state ]] && dirname "$state"
            done | sort -u
            ;;
        *) echo "usage: $0 start | stop [DIR] | status [DIR] | list" >&2; exit 2 ;;
    esac
fi
