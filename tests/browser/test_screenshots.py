"""Every citizen and public page at 375 px and 1280 px: nothing wider than a phone's screen, and a
full-page screenshot of each. `make screenshots` runs this with SCREENSHOT_DIR=docs/screenshots
(the committed pictures); in `make test` they go to a temporary directory."""

from __future__ import annotations

import base64
import os
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from service.models import Ticket
from tests.browser.conftest import DESKTOP, NOW, PHONE, viewport
from tests.browser.support import click_label, console_errors, wait_for, wait_text
from tests.conftest import bearer


def full_page_png(driver) -> bytes:
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    return base64.b64decode(shot["data"])


@pytest.fixture
def out_dir(tmp_path) -> Path:
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def pages(live_url, frozen, client, session, register_event, make_token, intake_token, published_october):
    """name → (URL, a form to fill first or None). Each event is in the state its page shows."""
    staff = make_token("dept_staff", "ZJJ-A")

    def rated(level, options, text="", reply=None, unsatisfied=False):
        token = register_event(department="ZJJ-A")["rate_token"]
        client.post("/api/v1/reviews", json={"rate_token": token, "level": level, "channel": "mobile",
                                             "options": options, **({"text": text} if text else {})})
        if reply:
            ticket = session.query(Ticket).order_by(Ticket.id.desc()).first()
            for action in ({"action": "sign"}, {"action": "reply", "resolution": "scheduled", "content": reply}):
                client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action, headers=bearer(staff))
            if unsatisfied:
                client.post(f"/api/v1/tickets/{ticket.id}/actions", json={
                    "action": "confirm", "satisfied": False, "rate_token": token})
        return token

    old = {"event_no": "OLD-1", "department_code": "ZJJ-A", "item_name": "房屋建筑工程竣工验收备案",
           "channel": "window", "completed_at": (NOW - timedelta(days=120)).isoformat()}
    expired = client.post("/api/v1/service-events", json=old, headers=bearer(intake_token)).get_json()["rate_token"]
    reply = "经核查，窗口人员未一次性告知所需材料。已对相关人员批评教育，并于11月27日前电话联系您补办。"
    return {
        "rate": (f"{live_url}/rate/{register_event(department='ZJJ-A', real_name=True)['rate_token']}", None),
        "rate-error": (f"{live_url}/rate/{register_event(department='ZJJ-A')['rate_token']}", "error"),
        "thanks": (f"{live_url}/rate/{rated(2, ['overdue'], '跑了三趟还没办好')}/thanks", None),
        "rated-good": (f"{live_url}/rate/{rated(5, ['efficient', 'friendly'], '窗口人员很耐心')}", None),
        "processing": (f"{live_url}/rate/{rated(1, ['bad_attitude'])}", None),
        "reply": (f"{live_url}/rate/{rated(2, ['repeated_visits'], '多次跑动', reply)}", None),
        "reopened": (f"{live_url}/rate/{rated(2, ['repeated_visits'], '', reply, True)}", None),
        "link-invalid": (f"{live_url}/rate/this-link-does-not-exist", None),
        "link-expired": (f"{live_url}/rate/{expired}", None),
        "public-index": (f"{live_url}/public/", None),
        "public-period": (f"{live_url}/public/2026-10", None),
    }


def make_mistake(driver) -> None:
    wait_for(driver, "form.rating")
    click_label(driver, ".level-list", "非常不满意")
    driver.find_element(By.ID, "first-text").send_keys("等了很久")
    driver.find_element(By.CSS_SELECTOR, "form.rating button.primary").click()
    wait_text(driver, "请至少选择一项差评原因")


def test_every_page_fits_a_phone_and_is_captured(chrome, pages, out_dir):
    console_errors(chrome)
    for name, (url, prepare) in pages.items():
        for label, size in (("375", PHONE), ("1280", DESKTOP)):
            viewport(chrome, size)
            chrome.get(url)
            if prepare == "error":
                make_mistake(chrome)
            width = chrome.execute_script("return document.documentElement.scrollWidth")
            assert width <= size[0], f"{name} at {label} px is {width} px wide"
            (out_dir / f"{name}-{label}.png").write_bytes(full_page_png(chrome))
    assert len(list(out_dir.glob("*.png"))) >= 2 * len(pages)
