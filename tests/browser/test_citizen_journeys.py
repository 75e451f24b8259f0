"""The citizen's journey in a real browser (issue 12): rate at 375×812, the thank-you page, the
department's reply, 不满意 ⇒ the ticket is reopened — with JavaScript and without it; the public
page of a published period. Every page: no console error, no serious or critical axe violation."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from service.models import Review, Ticket
from tests.browser.conftest import PHONE, viewport
from tests.browser.support import (
    check_page,
    click_label,
    console_errors,
    press,
    wait_for,
    wait_text,
    wait_url,
)
from tests.conftest import bearer


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def displayed_groups(driver) -> list[str]:
    return [g.get_attribute("data-level") for g in driver.find_elements(By.CSS_SELECTOR, "fieldset.options")
            if g.is_displayed()]


def rate_two_stars(driver, live_url: str, token: str, javascript: bool) -> None:
    viewport(driver, PHONE)
    driver.get(f"{live_url}/rate/{token}")
    wait_for(driver, "form.rating")
    assert "物业专项维修资金使用审核" in body_text(driver)
    # axe is a script: it runs where JavaScript does (the pages are the same HTML either way).
    check_page(driver, "rating page", axe=javascript)
    # With JavaScript the options wait for a level; without it every level's options are shown.
    assert displayed_groups(driver) == ([] if javascript else ["5", "4", "3", "2", "1"])
    click_label(driver, ".level-list", "不满意")
    if javascript:
        assert displayed_groups(driver) == ["2"]
    click_label(driver, 'fieldset.options[data-level="2"]', "办理超时")
    text = driver.find_element(By.ID, "first-text")
    text.send_keys("跑了三趟还没办好")
    if javascript:
        assert driver.find_element(By.CSS_SELECTOR, "#first-count [data-count]").text == "8"
    driver.find_element(By.CSS_SELECTOR, "form.rating button.primary").click()
    wait_url(driver, "/thanks")
    page = body_text(driver)
    assert "感谢您的评价" in page and "我们已转交物业管理科整改" in page and "前答复您" in page
    check_page(driver, "thank-you page", axe=javascript)


def reply_as_staff(client, session, make_token) -> Ticket:
    ticket = session.query(Ticket).one()
    staff = make_token("dept_staff", "ZJJ-A")
    for action in ({"action": "sign", "note": "内部备注不给市民看"},
                   {"action": "reply", "resolution": "scheduled", "content": "已约谈经办人，三日内补办"}):
        response = client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action, headers=bearer(staff))
        assert response.status_code == 200, response.get_json()
    return ticket


def answer_unsatisfied(driver, live_url: str, token: str, javascript: bool) -> None:
    driver.get(f"{live_url}/rate/{token}")
    wait_for(driver, "form.confirm")
    page = body_text(driver)
    assert "物业管理科的答复" in page and "限期整改" in page and "已约谈经办人，三日内补办" in page
    assert "内部备注不给市民看" not in page and "dept_staff" not in page
    check_page(driver, "reply page", axe=javascript)
    driver.find_element(By.ID, "reason").send_keys("还是没有办好")
    driver.find_element(By.CSS_SELECTOR, 'button[name="satisfied"][value="no"]').click()
    wait_text(driver, "已退回物业管理科重新办理，新的答复期限为")
    check_page(driver, "reopened page", axe=False)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_rate_reply_and_reopen(request, javascript, live_url, frozen, client, session, register_event,
                               make_token):
    driver = request.getfixturevalue("chrome" if javascript else "chrome_without_js")
    console_errors(driver)  # start clean
    token = register_event(department="ZJJ-A")["rate_token"]
    rate_two_stars(driver, live_url, token, javascript)
    review = session.query(Review).one()
    assert (review.level, review.options, review.text) == (2, ["overdue"], "跑了三趟还没办好")
    assert review.channel == "mobile"  # a phone's browser
    ticket = reply_as_staff(client, session, make_token)
    answer_unsatisfied(driver, live_url, token, javascript)
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.status == "handling" and ticket.reopen_count == 1


def test_a_form_mistake_is_shown_next_to_the_field(chrome, live_url, frozen, register_event, session):
    token = register_event()["rate_token"]
    viewport(chrome, PHONE)
    chrome.get(f"{live_url}/rate/{token}")
    wait_for(chrome, "form.rating")
    click_label(chrome, ".level-list", "非常不满意")
    chrome.find_element(By.ID, "first-text").send_keys("没有选原因")
    chrome.find_element(By.CSS_SELECTOR, "form.rating button.primary").click()
    error = wait_for(chrome, "#first-options-error")
    assert error.text.endswith("请至少选择一项差评原因。")
    assert chrome.find_element(By.ID, "first-text").get_attribute("value") == "没有选原因"
    assert displayed_groups(chrome) == ["1"]
    check_page(chrome, "rating page with an error")
    assert session.query(Review).count() == 0


def test_the_public_page_shows_the_table_and_a_rendered_chart(chrome, live_url, frozen, published_october):
    console_errors(chrome)
    for size in (PHONE, (1280, 900)):
        viewport(chrome, size)
        chrome.get(f"{live_url}/public/")
        wait_for(chrome, "ul.periods")
        assert "2026年10月" in body_text(chrome)
        check_page(chrome, "public index")
        chrome.find_element(By.LINK_TEXT, "2026年10月").click()
        wait_url(chrome, "/public/2026-10")
        wait_for(chrome, "table.figures")
        rows = chrome.find_elements(By.CSS_SELECTOR, "table.figures tbody tr")
        assert len(rows) >= 4 and "物业管理科" in rows[1].text
        chart = chrome.find_element(By.CSS_SELECTOR, "svg.trend")
        assert chart.size["width"] > 250 and chart.size["height"] > 100
        assert len(chart.find_elements(By.CSS_SELECTOR, "g.point")) >= 2  # October: score and good rate
        check_page(chrome, "public period page")
    # Sorting works by following the header link (no JavaScript needed).
    press(chrome, chrome.find_element(By.CSS_SELECTOR, 'th a[href*="sort=good_rate"]'))
    WebDriverWait(chrome, 10).until(lambda d: "sort=good_rate" in d.current_url)
    wait_for(chrome, 'th[aria-sort="descending"]')
    check_page(chrome, "sorted public page", axe=False)
