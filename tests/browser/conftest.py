"""Browser tests: Debian's Chromium driven by Selenium against a live server on a free port.

The server is the test app itself (same database as the other tests) served by werkzeug in a
thread, so a test prepares data through the API or the domain and then looks with a browser.
Chromium is started headless with everything that would reach out to the network switched off
(the network is closed here). scripts/test.sh installs `chromium` and `chromium-driver` and sets
REQUIRE_BROWSER=1, so a missing browser fails there; elsewhere these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from datetime import datetime, timezone

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# Wednesday 2026-11-25 10:00 in Shanghai: the event fixtures complete on 11-20, inside every window.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
PHONE = (375, 812)
DESKTOP = (1280, 900)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--disable-features=Translate,OptimizationHints,MediaRouter", "--lang=zh-CN",
)


def _browser_available() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


@pytest.fixture(scope="session")
def browser_required():
    if not _browser_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)")
        pytest.skip("no Chromium/ChromeDriver here (scripts/test.sh installs them)")


@pytest.fixture(scope="session")
def live_url(_app, browser_required):
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def make_driver(javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    driver._profile_dir = profile
    return driver


def quit_driver(driver) -> None:
    driver.quit()
    shutil.rmtree(driver._profile_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def chrome(browser_required):
    driver = make_driver(javascript=True)
    yield driver
    quit_driver(driver)


@pytest.fixture(scope="session")
def chrome_without_js(browser_required):
    driver = make_driver(javascript=False)
    yield driver
    quit_driver(driver)


PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/156.0.0.0 Mobile Safari/537.36")
DESKTOP_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/156.0.0.0 Safari/537.36")


def viewport(driver, size: tuple[int, int]) -> None:
    """The exact CSS viewport (a phone is 375×812) and a matching user agent."""
    width, height = size
    phone = width < 600
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone})
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": PHONE_AGENT if phone else DESKTOP_AGENT})


@pytest.fixture
def frozen(time_machine):
    # tick: the clock moves on from NOW, so the server's and the browser's waits behave.
    time_machine.move_to(NOW, tick=True)
    return NOW


@pytest.fixture
def published_october(app, session, depts, frozen):
    """September (no ratings) and October 2026 published by two supervisors (tests/api's data)."""
    from service.domain import accounts, indicators
    from service.models.types import utcnow
    from tests.api.test_indicators import october

    october(session, depts)
    settings = app.extensions["settings"]
    one, _ = accounts.create_user(session, "supervisor-1", "supervisor")
    two, _ = accounts.create_user(session, "supervisor-2", "supervisor")
    for period in ("2026-09", "2026-10"):
        draft = indicators.create_publication(session, settings, period, one, utcnow())
        indicators.approve_publication(session, settings, draft.id, two, utcnow())
