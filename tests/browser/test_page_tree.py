"""The page tree opens a folded branch in place, with the mouse or the
keyboard, and without JavaScript a branch is a link to its page."""

import pytest
from playwright.sync_api import expect

from .seed import WORKSHOP

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_folded_branch_opens_and_closes_in_place(page, check_accessibility, focus_is_visible, tab_to):
    page.goto("/")
    home_tree = page.get_by_role("region", name="Pages")
    branch = home_tree.locator("li.has-children", has=page.locator(f'a[href="/wiki/{WORKSHOP}"]'))
    toggle = branch.get_by_role("button", name="Child pages of Soil Carbon Monitoring Workshop 2026")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(branch.locator("ul.tree")).to_have_count(0)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(branch.locator("ul.tree").get_by_role("link").first).to_be_visible()
    tab_to(page, toggle)
    assert focus_is_visible(page)
    page.keyboard.press("Enter")  # closes again, from the keyboard
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(branch.locator("ul.tree")).to_be_hidden()
    assert check_accessibility(page) == []


def test_without_javascript_a_branch_is_a_link_to_its_page(browsing):
    page = browsing.new_page(javascript=False)
    page.goto("/")
    branch = page.get_by_role("region", name="Pages").locator(
        "li.has-children", has=page.locator(f'a[href="/wiki/{WORKSHOP}"]'))
    expect(branch.locator("button")).to_have_count(0)
    branch.get_by_role("link", name="Soil Carbon Monitoring Workshop 2026").click()
    expect(page).to_have_url(f"{browsing.base_url}/wiki/{WORKSHOP}")
    opened = page.locator(".sidebar li.has-children", has=page.locator('a[aria-current="page"]'))
    expect(opened.locator("ul.tree a").first).to_be_visible()  # its children, in the sidebar
