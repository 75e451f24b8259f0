#!/usr/bin/env bash
# Screenshots of every citizen and public page at 375 px and 1280 px into docs/screenshots/
# (committed): tests/browser/test_screenshots.py with SCREENSHOT_DIR set, on a throwaway SQLite
# database. Installs Debian's chromium, chromium-driver and a Chinese font where missing.
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

bash scripts/venv.sh

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    apt_install chromium chromium-driver || die "could not install chromium and chromium-driver"
fi
# Without a CJK font every Chinese character would be drawn as a box.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    apt_install fonts-noto-cjk || die "could not install fonts-noto-cjk"
fi

out="$ROOT/docs/screenshots"
mkdir -p "$out"
rm -f "$out"/*.png
unset DATABASE_URL REDIS_URL TEST_DATABASE_URL
SCREENSHOT_DIR="$out" REQUIRE_BROWSER=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/browser/test_screenshots.py
log "screenshots written to docs/screenshots/ ($(find "$out" -name '*.png' | wc -l) files)"
