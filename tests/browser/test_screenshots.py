"""The main pages at desktop and phone width: nothing sticks out sideways.

With ``WIKI_SCREENSHOTS=1`` the test also writes the screenshots shown in
README.md to ``docs/screenshots/{home,page,editor,search}-{desktop,phone}.png``:

    WIKI_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
WORKSHOP = "/wiki/soil-carbon-monitoring-workshop-2026"


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page, name, full_page=False):
    if os.environ.get("WIKI_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page, animations="disabled",
                        caret="hide")


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_fit_the_screen(signed_in, width):
    page = signed_in("edith", viewport=WIDTHS[width])

    page.goto("/")
    expect(page.get_by_role("heading", name="Recently changed")).to_be_visible()
    assert no_horizontal_overflow(page)
    shoot(page, f"home-{width}")

    page.goto(WORKSHOP)
    page.get_by_role("button", name="Expand all").click()
    assert no_horizontal_overflow(page)
    page.get_by_role("button", name="Collapse all").click()
    if width == "phone":  # the thread, as it reads on a phone
        page.get_by_role("heading", name="Comments").evaluate("el => el.scrollIntoView()")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    shoot(page, f"page-{width}", full_page=width == "desktop")

    page.goto(WORKSHOP + "/edit")
    expect(page.locator("#preview h2").first).to_be_visible()  # the live preview has rendered
    assert no_horizontal_overflow(page)
    shoot(page, f"editor-{width}")

    page.goto("/search?q=carbon")
    expect(page.locator(".hit").first).to_be_visible()
    assert no_horizontal_overflow(page)
    shoot(page, f"search-{width}")


def test_every_kind_of_page_fits_a_phone(signed_in, browsing):
    browsing.allow_console(r"status of 404 .*/wiki/no-such-page")
    page = signed_in("ada", viewport=WIDTHS["phone"])  # an admin sees every page
    paths = ["/login", "/register", "/labels", "/labels/soil-carbon", "/search?q=soil",
             WORKSHOP + "/history", WORKSHOP + "/diff?from=1&to=1", "/wiki/shared-agenda/diff",
             "/wiki/shared-agenda/diff?mode=inline", WORKSHOP + "/settings", "/new", "/admin/users",
             "/admin/trash", "/account/password", "/wiki/no-such-page"]
    too_wide = []
    for path in paths:
        page.goto(path)
        if not no_horizontal_overflow(page):
            too_wide.append(path)
    assert too_wide == []
