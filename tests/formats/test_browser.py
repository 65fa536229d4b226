"""The reports as a browser shows them: headless Chromium (Debian's, installed by .ci/run)
driven by Playwright. No console errors, the key elements there, screenshots kept in
test-artifacts/ for a human to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, chromium

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = [pytest.mark.kernel, pytest.mark.chromium]


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield browser
        browser.close()


def open_page(browser, path: Path, width: int = 1100):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


@pytest.mark.parametrize("student", ["alice", "bob", "carol", "dan"])
def test_student_report_in_chromium(graded_class, browser, student):
    page, errors = open_page(browser, graded_class[0] / student / "report.html")
    assert page.locator("h1").inner_text().startswith("kmeans_basics")
    assert page.locator("section.q:not(#other-errors)").count() == 5
    assert page.locator("ol.bars li").count() == 5
    for img in page.locator("img").all():   # every picture decoded and described
        assert img.evaluate("i => i.complete && i.naturalWidth > 0") and img.get_attribute("alt")
    page.keyboard.press("Tab")               # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    if student == "bob":
        assert page.locator(".first-fix a").inner_text() == "Fit K-Means"
    if student == "carol":
        summary = page.locator("summary", has_text="Traceback of cell").first
        summary.focus()
        page.keyboard.press("Enter")         # details open from the keyboard
        assert summary.evaluate("s => s.parentElement.open")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"report-{student}.png", full_page=True)
    assert errors == []
    page.close()


def test_report_fits_a_phone(graded_class, browser):
    page, errors = open_page(browser, graded_class[0] / "bob" / "report.html", width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=ARTIFACTS / "report-bob-phone.png", full_page=True)
    assert errors == []
    page.close()


def test_dashboard_questions_read_on_a_phone(graded_class, browser):
    """At 400 px each question is a block: its failures get the whole width (they wrapped a few
    letters to a line), and it is still a table to a screen reader."""
    page, errors = open_page(browser, graded_class[0] / "index.html", width=400)
    failures = page.locator("table.stack td[data-label='Most common failures']")
    assert failures.count() >= 3
    for i in range(failures.count()):
        assert failures.nth(i).bounding_box()["width"] > 300
    assert page.get_by_role("columnheader", name="Most common failures").count() == 1
    assert page.get_by_role("rowheader", name="q2_inertia").count() == 1
    page.screenshot(path=ARTIFACTS / "dashboard-questions-phone.png", full_page=True)
    assert errors == []
    page.close()


def test_dashboard_in_chromium_sorts_its_table(graded_class, browser):
    page, errors = open_page(browser, graded_class[0] / "index.html")
    first = lambda: page.locator("#table tbody tr th").first.inner_text()
    assert first() == "alice"
    page.get_by_role("button", name="Score").click()        # ascending: the lowest first
    assert first() in ("broken", "untouched")
    page.get_by_role("button", name="Score").click()        # descending: full marks first
    assert page.locator("#table tbody tr td.num").first.inner_text() == "13/13"
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)
    assert errors == []
    page.close()


def test_dashboard_charts_fit_a_phone_and_have_names(graded_class, browser):
    page, errors = open_page(browser, graded_class[0] / "index.html", width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    histogram = page.get_by_role("img", name="Histogram of the scores of")
    rates = page.get_by_role("img", name="Bar chart of the share of submissions passing")
    for chart in (histogram, rates):                  # scaled to the column, text and all
        box = chart.bounding_box()
        assert chart.evaluate("e => e.tagName") == "svg" and 300 < box["width"] <= 400
        assert box["height"] > 100
    assert "q2_inertia" in rates.evaluate("e => e.textContent")
    page.screenshot(path=ARTIFACTS / "dashboard-phone.png", full_page=True)
    assert errors == []
    page.close()
