# shellcheck shell=bash
# Shared helpers for the scripts in this directory; sourced, never run.
# Each script sources this to find the repository root and to log consistently.

# shellcheck disable=SC2034  # used by the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Logs go to stderr so stdout stays usable (e.g. `eval "$(scripts/services.sh start)"`).
log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Run as root directly, otherwise through sudo without prompting (CI has no stdin).
as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo -n "$@"
    else die "need root to run: $*"
    fi
}

# Non-interactive apt install that never starts the packaged service (we run our own throwaway
# instances; a system redis/postgres left listening would outlive the tests).
apt_install() {
    local policy=/usr/sbin/policy-rc.d added=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod +x "$policy"
        added=1
    fi
    log "installing $* with apt-get"
    local rc=0
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
    if [[ $rc -eq 0 ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "$@" >&2 || rc=$?
    fi
    if [[ $added -eq 1 ]]; then as_root rm -f "$policy"; fi
    return "$rc"
}
