"""A visitor without an account reads a workshop page, opens a folded section,
asks a question in the comments and answers it; the answer is nested."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_visitor_reads_a_page_expands_a_section_and_comments_with_a_reply(page):
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Field Day 2025").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Field Day 2025")
    expect(page.get_by_role("region", name="Labels")).to_contain_text("field-day")
    expect(page.get_by_text("No comments yet.")).to_be_visible()

    # The directions are folded away until asked for
    section = page.locator(".page-content details", has_text="Directions to the farm")
    expect(section.get_by_text("regional train")).to_be_hidden()
    section.get_by_text("Directions to the farm").click()
    expect(section.get_by_text("regional train")).to_be_visible()

    # A question, signed with a name but no account
    page.get_by_label("Your name (optional)").fill("Lena")
    page.get_by_label("Your comment").fill("Is there a bus from the station?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")
    question = page.locator("#comments .comment", has_text="Is there a bus")
    expect(question.locator(".comment-number").first).to_have_text("1")
    expect(question.locator(".comment-author").first).to_have_text("Lena (guest)")
    expect(page.locator(".comment-count")).to_have_text("1 comment")

    # Another visitor answers it, anonymously
    question.get_by_role("link", name="Reply").click()
    expect(page.locator(".comment-form-title")).to_contain_text("Reply to comment 1")
    page.get_by_label("Your comment").fill("Yes: the 44 stops at the farm gate.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".flash")).to_have_text("Your comment was posted.")

    reply = question.locator(".comment-list .comment")
    expect(reply).to_contain_text("the 44 stops at the farm gate")
    expect(reply.locator(".comment-number")).to_have_text("1.1")
    expect(reply.locator(".comment-author")).to_have_text("Anonymous")
    expect(page.locator(".comment-count")).to_have_text("2 comments")
