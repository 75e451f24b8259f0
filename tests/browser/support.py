"""What every browser test checks on a page: no console errors, no serious accessibility
violation (axe-core, shipped inside axe-selenium-python: nothing is downloaded)."""

from __future__ import annotations

from axe_selenium_python import Axe
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

BLOCKING = ("serious", "critical")


def console_errors(driver) -> list[str]:
    """Console messages of level SEVERE since the last call (CSP violations are among them).

    The page's own status is not an error of the page: a form with a mistake answers 422 on
    purpose, and Chromium logs that as a failed load of the document."""
    page = driver.current_url.split("#")[0]
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
            and not entry["message"].startswith(f"{page} - Failed to load resource: the server responded")]


def accessibility_violations(driver) -> list[str]:
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in BLOCKING]


def check_page(driver, name: str, axe: bool = True) -> None:
    errors = console_errors(driver)
    assert not errors, f"{name}: console errors {errors}"
    if axe:
        violations = accessibility_violations(driver)
        assert not violations, f"{name}: accessibility violations {violations}"
        # axe's own script may log; it is not the page's.
        driver.get_log("browser")


def wait_for(driver, css: str, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def wait_text(driver, text: str, timeout: float = 10) -> None:
    """Until the page (a new one, after a form post) shows `text`."""
    # While the old page goes away its nodes vanish under the reader: that is not a failure yet.
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in d.find_element(By.TAG_NAME, "main").text)


def wait_url(driver, suffix: str, timeout: float = 10) -> None:
    WebDriverWait(driver, timeout).until(lambda d: d.current_url.split("#")[0].endswith(suffix))


def press(driver, element) -> None:
    """Click as a person would after scrolling it into view (to the right, clear of the table's
    sticky first column)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'end'})", element)
    element.click()


def click_label(driver, scope_css: str, text: str) -> None:
    """Press the label (the large touch target) whose text is `text` inside `scope_css`."""
    for label in driver.find_elements(By.CSS_SELECTOR, f"{scope_css} label"):
        if label.text.strip() == text:
            label.click()
            return
    raise AssertionError(f"no label {text!r} in {scope_css}")
