"""Accessibility: axe-core finds no serious or critical violation on the pages
people use most, for a visitor and for an editor, and nothing logs an error."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKSHOP = "/wiki/soil-carbon-monitoring-workshop-2026"


@pytest.mark.parametrize("path", [
    "/",
    WORKSHOP,
    "/search?q=carbon",
    "/search?q=nothing-matches-this",
    "/login",
    "/register",
    "/labels",
])
def test_visitor_pages_have_no_serious_violations(page, check_accessibility, path):
    page.goto(path)
    assert check_accessibility(page) == []


def test_workshop_page_with_sections_open_has_no_serious_violations(page, check_accessibility):
    page.goto(WORKSHOP)
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator(".page-content details").first).to_have_attribute("open", "")
    assert check_accessibility(page) == []


@pytest.mark.parametrize("path", [
    "/",
    WORKSHOP,
    WORKSHOP + "/edit",
    "/new",
    WORKSHOP + "/history",
    "/search?q=carbon",
])
def test_editor_pages_have_no_serious_violations(signed_in, check_accessibility, path):
    page = signed_in("edith")
    page.goto(path)
    assert check_accessibility(page) == []
