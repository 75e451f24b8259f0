#!/usr/bin/env bash
# Create .venv and install requirements-dev.txt (which includes requirements.txt).
# Idempotent: pip runs only when the requirements files changed since the last install.
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    log "creating virtualenv $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

hash="$(cat requirements*.txt | sha256sum | cut -c1-64)"
stamp="$VENV/.installed-$hash"
if [[ -e $stamp ]]; then
    log "virtualenv up to date (${stamp#"$ROOT"/})"
    exit 0
fi

log "installing requirements-dev.txt into .venv"
"$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
rm -f "$VENV"/.installed-*
touch "$stamp"
log "virtualenv ready"
