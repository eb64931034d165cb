"""An editor writes a workshop page in the browser: a folded section, labels,
a child page, the live preview, then a second edit and its diff."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKSHOP_TEXT = """\
**12 May 2026, 10:00–16:00, at the demonstration farm.**

## Agenda

1. Why compost matters for soil carbon
2. Building a heap together

??? "Background reading"
    Compost adds organic matter that soil life turns into stable carbon.
"""


def test_editor_creates_a_workshop_page_with_a_section_labels_and_a_child_page(signed_in,
                                                                               check_accessibility):
    page = signed_in("edith")
    flash = page.locator(".flash")

    # A new page, with a live preview beside the text
    page.get_by_role("link", name="New page").click()
    page.get_by_label("Title").fill("Compost Workshop 2026")
    expect(page.get_by_label("Address")).to_have_value("compost-workshop-2026")  # proposed as you type
    page.get_by_label("Text (Markdown)").fill(WORKSHOP_TEXT)
    page.get_by_label("Labels").fill("compost, workshop")
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(preview.locator("details > summary")).to_have_text("Background reading")
    expect(preview.get_by_text("stable carbon")).to_be_hidden()  # folded

    # The Preview button renders on the server and keeps everything typed
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(preview.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.get_by_label("Labels")).to_have_value("compost, workshop")
    page.get_by_label("Edit summary").fill("First draft")
    page.get_by_role("button", name="Save").click()

    expect(flash).to_have_text("Page created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compost Workshop 2026")
    labels = page.get_by_role("region", name="Labels")
    expect(labels.get_by_role("link")).to_have_text(["compost", "workshop"])
    expect(page.locator(".comment-count")).to_have_text("0 comments")
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    section = page.locator(".page-content details")
    expect(section).not_to_have_attribute("open", "")
    section.get_by_text("Background reading").click()
    expect(section.get_by_text("stable carbon")).to_be_visible()

    # A child page for the first session
    page.get_by_role("link", name="Add child page").click()
    expect(page.get_by_label("Parent page")).to_have_value("compost-workshop-2026")
    page.get_by_label("Title").fill("Session 1")
    page.get_by_label("Address").fill("compost-s1")  # a short address of its own...
    page.get_by_label("Title").fill("Session 1 - Why compost matters")
    expect(page.get_by_label("Address")).to_have_value("compost-s1")  # ...that the title leaves alone
    page.get_by_label("Text (Markdown)").fill("Slides and notes of the first session.\n")
    page.get_by_role("button", name="Save").click()
    expect(flash).to_have_text("Page created.")
    assert page.url.endswith("/wiki/compost-s1")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(breadcrumbs).to_contain_text("Compost Workshop 2026")
    breadcrumbs.get_by_role("link", name="Compost Workshop 2026").click()
    children = page.get_by_role("region", name="Child pages")
    expect(children.get_by_role("link")).to_have_text(["Session 1 - Why compost matters"])

    # A second edit, and what it changed
    page.get_by_role("navigation", name="Page actions").get_by_role("link", name="Edit").click()
    text = page.get_by_label("Text (Markdown)")
    expect(text).to_have_value(WORKSHOP_TEXT)
    text.fill(WORKSHOP_TEXT.replace("10:00", "09:30"))
    page.get_by_label("Edit summary").fill("Start earlier")
    page.get_by_role("button", name="Save").click()
    expect(flash).to_have_text("Page saved.")
    expect(page.locator(".page-content")).to_contain_text("09:30–16:00")

    page.get_by_role("link", name="History").click()
    revision_2 = page.locator("tr", has=page.get_by_role("link", name="Revision 2"))
    expect(revision_2).to_contain_text("Edith Editor")
    revision_2.get_by_role("link", name="changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes to “Compost Workshop 2026”")
    expect(page.locator(".added")).to_have_text("1 line added")
    expect(page.locator("td.line.del")).to_contain_text("10:00–16:00")
    expect(page.locator("td.line.ins")).to_contain_text("09:30–16:00")
    expect(page.locator("td.line.ins mark").first).to_be_visible()  # the changed words stand out
    assert check_accessibility(page) == []
