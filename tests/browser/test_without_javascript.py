"""With JavaScript off the wiki still works: sections open (they are native
<details>), replies go through the server-rendered form, the editor previews
with its button."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_visitor_without_javascript_opens_a_section_comments_and_replies(browsing):
    page = browsing.new_page(javascript=False)
    page.goto("/wiki/soil-carbon-monitoring-workshop-2026")
    expect(page.get_by_role("button", name="Expand all")).to_be_hidden()  # it needs the script
    section = page.locator(".page-content details", has_text="Contexte en français")
    section.get_by_text("Contexte en français").click()
    expect(section.get_by_text("La gestion durable des terres")).to_be_visible()

    page.goto("/wiki/session-3-farmer-led-monitoring")
    page.get_by_label("Your comment").fill("Which phone app do the farmers use?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")
    question = page.locator("#comments .comment", has_text="Which phone app")
    question.get_by_role("link", name="Reply").click()  # reloads the page with ?reply_to=
    expect(page.locator(".comment-form-title")).to_have_text("Reply to comment 1")
    page.get_by_label("Your comment").fill("LandPKS: it works offline, in French and English.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")
    expect(question.locator(".comment-list .comment")).to_contain_text("it works offline")


def test_editor_without_javascript_previews_and_saves(browsing, sign_in):
    page = browsing.new_page(javascript=False)
    sign_in(page, "edith")
    page.goto("/new")
    page.get_by_label("Title").fill("Offline Notes")
    page.get_by_label("Text (Markdown)").fill("## Notes\n\nWritten without scripts.\n")
    expect(page.locator("#preview")).to_contain_text("Press “Preview” to see the page")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator("#preview").get_by_role("heading", name="Notes")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Page created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline Notes")
