"""An anonymous visitor finds no trace of a members-only page: not in the
page tree, the home page, its parent, links, search, labels or its address.
A member sees it, so the page is really there."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Members Directory"


def test_visitor_cannot_see_a_members_only_page_anywhere(browsing, signed_in):
    browsing.allow_console(r"status of 404")  # its address answers 404 Not Found, on purpose
    page = browsing.new_page()

    page.goto("/")
    expect(page.get_by_role("link", name="Community Links").first).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)  # neither the tree, the sidebar nor recent changes

    page.goto("/wiki/community-links")  # its parent, which links to it
    expect(page.get_by_role("region", name="Child pages")).to_have_count(0)
    link = page.locator(".page-content a", has_text=SECRET)
    expect(link).to_have_class(re.compile(r"\bmissing\b"))  # looks like a link to a page never written

    for path in ("/wiki/members-directory", "/wiki/members-directory/history"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_text("Zanzibar")).to_have_count(0)

    page.goto("/search?q=Zanzibar")
    expect(page.get_by_role("heading", name="0 results")).to_be_visible()
    page.goto("/labels")
    expect(page.get_by_text("members-corner")).to_have_count(0)

    member = signed_in("mona")
    member.goto("/wiki/community-links")
    member.get_by_role("region", name="Child pages").get_by_role("link", name=SECRET).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(SECRET)
    expect(member.get_by_text("Members only", exact=True)).to_be_visible()
    member.goto("/search?q=Zanzibar")
    expect(member.get_by_role("heading", name="1 result")).to_be_visible()
