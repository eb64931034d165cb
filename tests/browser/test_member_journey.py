"""Members: a new visitor registers; a member signs in from the page they are
reading, comments under their name, and finds text that sits in a folded
section: the search result opens the page with that section unfolded."""

import re

import pytest
from playwright.sync_api import expect

from .seed import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_visitor_registers_and_is_signed_in_as_a_member(page):
    page.goto("/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Username").fill("noor")
    page.get_by_label("Display name").fill("Noor Farah")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".flash")).to_contain_text("Welcome, Noor Farah!")
    account = page.get_by_role("navigation", name="Account")
    expect(account).to_contain_text("Noor Farah (member)")
    expect(account.get_by_role("link", name="New page")).to_have_count(0)  # members do not edit


def test_member_comments_under_their_name_and_finds_text_in_a_folded_section(page):
    page.goto("/wiki/workshop-2026-follow-up")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash")).to_have_text("Signed in as Mona Member.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop 2026 follow-up")  # back where she was

    # A comment under her name: no name field to fill
    expect(page.get_by_text("Commenting as Mona Member.")).to_be_visible()
    expect(page.get_by_label("Your name (optional)")).to_have_count(0)
    page.get_by_label("Your comment").fill("Our project reports 0–30 cm, as the national inventory does.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")
    mine = page.locator("#comments .comment", has_text="Our project reports")
    expect(mine.locator(".comment-author")).to_contain_text("Mona Member")
    expect(mine.locator(".author-badge")).to_have_text("member")

    # Searching for a word that only appears inside a folded section
    search = page.get_by_role("search", name="Search the wiki")
    search.get_by_role("searchbox").fill("pedotransfer")
    search.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    hit = page.locator(".hit").first
    expect(hit).to_contain_text("in the section “Estimating bulk density”")
    expect(hit.locator(".snippet mark")).to_have_text("pedotransfer")

    hit.get_by_role("link", name="Sampling Methods Primer").click()
    expect(page).to_have_url(re.compile(r"/wiki/sampling-methods-primer#section-estimating-bulk-density$"))
    section = page.locator("#section-estimating-bulk-density")
    expect(section).to_have_attribute("open", "")
    expect(section.get_by_text("pedotransfer function")).to_be_visible()
    expect(section.get_by_text("pedotransfer function")).to_be_in_viewport()
