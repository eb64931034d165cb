"""Two editors edit the same page at once, each in their own browser: the
second save is merged, or shown as a conflict with the text kept."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_editor(page, slug):
    page.goto(f"/wiki/{slug}")
    page.get_by_role("navigation", name="Page actions").get_by_role("link", name="Edit").click()
    return page.get_by_label("Text (Markdown)")


def change_line(text_box, old, new):
    text = text_box.input_value()
    assert old in text
    text_box.fill(text.replace(old, new))


def test_changes_to_different_lines_are_merged(signed_in):
    edith, eric = signed_in("edith"), signed_in("eric")
    edith_text = open_editor(edith, "merge-agenda")
    eric_text = open_editor(eric, "merge-agenda")

    change_line(edith_text, "Morning: field visit", "Morning: field visit by bus")
    edith.get_by_role("button", name="Save").click()
    expect(edith.locator(".flash")).to_have_text("Page saved.")

    change_line(eric_text, "Evening: dinner in town", "Evening: dinner at the farm")
    eric.get_by_role("button", name="Save").click()
    expect(eric.locator(".flash")).to_contain_text("your changes were merged with theirs")
    content = eric.locator(".page-content")
    expect(content).to_contain_text("Morning: field visit by bus")
    expect(content).to_contain_text("Evening: dinner at the farm")


def test_changes_to_the_same_line_show_a_conflict_and_keep_the_text(signed_in, browsing,
                                                                    check_accessibility):
    browsing.allow_console(r"status of 409")  # the conflict page is answered with 409 Conflict
    edith, eric = signed_in("edith"), signed_in("eric")
    edith_text = open_editor(edith, "shared-agenda")
    eric_text = open_editor(eric, "shared-agenda")

    change_line(edith_text, "Coffee break", "Coffee break (30 minutes)")
    edith.get_by_role("button", name="Save").click()
    expect(edith.locator(".flash")).to_have_text("Page saved.")

    change_line(eric_text, "Coffee break", "Coffee and tea break")
    eric.get_by_role("button", name="Save").click()
    expect(eric.get_by_role("heading", level=1)).to_have_text("Edit conflict")
    expect(eric.get_by_role("alert")).to_contain_text("Your changes were not saved yet")
    expect(eric.locator("table.diff")).to_contain_text("Coffee break (30 minutes)")  # hers
    text = eric.get_by_label("Text (Markdown)")
    expect(text).to_have_value("Welcome by the organisers\nKeynote on soil health\nCoffee and tea break\n"
                               "Panel on carbon markets\nClosing words\n")  # his, nothing lost
    assert check_accessibility(eric) == []

    change_line(text, "Coffee and tea break", "Coffee and tea break (30 minutes)")
    eric.get_by_role("button", name="Save my version").click()
    expect(eric.locator(".flash")).to_have_text("Page saved.")
    expect(eric.locator(".page-content")).to_contain_text("Coffee and tea break (30 minutes)")
