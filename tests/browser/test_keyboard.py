"""Keyboard only (Tab, Enter, Space, typing): skip to the content, open a
folded section, comment and reply, sign in and search. Whatever has the
focus shows a visible focus ring."""

import re

import pytest
from playwright.sync_api import expect

from .seed import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_keyboard_user_opens_a_section_comments_and_replies(page, tab_to, focus_is_visible):
    page.goto("/wiki/mapping-clinic")
    keyboard = page.keyboard

    # The first Tab offers to skip the header and the page tree
    keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert focus_is_visible(page)
    keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # A folded section opens with Enter
    summary = page.locator(".page-content summary", has_text="What to bring")
    tab_to(page, summary)
    assert focus_is_visible(page)
    keyboard.press("Enter")
    expect(page.locator(".page-content details")).to_have_attribute("open", "")
    expect(page.get_by_text("A laptop with QGIS")).to_be_visible()

    # A comment: name, text, then the button, all from the keyboard
    tab_to(page, page.get_by_label("Your name (optional)"))
    assert focus_is_visible(page)
    keyboard.type("Kai")
    keyboard.press("Tab")
    expect(page.get_by_label("Your comment")).to_be_focused()
    keyboard.type("Can I bring a raster of the soil map too?")
    keyboard.press("Tab")  # the spam trap is out of the tab order
    post = page.get_by_role("button", name="Post comment")
    expect(post).to_be_focused()
    assert focus_is_visible(page)
    keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")

    # A reply: Enter on "Reply" puts the focus in the text box under the comment
    question = page.locator("#comments .comment", has_text="raster of the soil map")
    tab_to(page, question.get_by_role("link", name="Reply"))
    assert focus_is_visible(page)
    keyboard.press("Enter")
    expect(page.get_by_label("Your comment")).to_be_focused()
    keyboard.type("Yes, any GeoTIFF works.")
    tab_to(page, page.get_by_role("button", name="Post reply"))
    keyboard.press("Space")
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")
    expect(question.locator(".comment-list .comment")).to_contain_text("any GeoTIFF works")


def test_keyboard_user_signs_in_and_searches(page, tab_to, focus_is_visible):
    page.goto("/")
    keyboard = page.keyboard
    sign_in = page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")
    tab_to(page, sign_in)
    assert focus_is_visible(page)  # on the dark header too
    keyboard.press("Enter")

    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    keyboard.type("mona")
    keyboard.press("Tab")
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Signed in as Mona Member.")

    search_box = page.get_by_role("search", name="Search the wiki").get_by_role("searchbox")
    tab_to(page, search_box)
    assert focus_is_visible(page)
    keyboard.type("pedotransfer")
    keyboard.press("Enter")
    hit = page.locator(".hit-title").first
    tab_to(page, hit)
    assert focus_is_visible(page)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#section-estimating-bulk-density$"))
    expect(page.locator("#section-estimating-bulk-density")).to_have_attribute("open", "")
