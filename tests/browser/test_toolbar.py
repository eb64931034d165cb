"""The editor toolbar (static/toolbar.js): each button on a selection and on
an empty selection, the shortcuts, undo, the live preview, wiki link
suggestions, the attachments plugin's button, the keyboard, axe, a phone,
and no toolbar without JavaScript.

The text's selection is written with « and »: "say «hello»" is the text
"say hello" with "hello" selected; "«»" is the cursor alone.
"""

import pytest
from playwright.sync_api import expect

from .conftest import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 812}


def marked(value):
    """The text without « and », and the selection they mark."""
    start = value.index("«")
    end = value.index("»") - 1
    return value.replace("«", "").replace("»", ""), start, end


def select(page, value):
    text, start, end = marked(value)
    area = page.get_by_label("Text (Markdown)")
    area.fill(text)
    area.evaluate("(el, [s, e]) => el.setSelectionRange(s, e)", [start, end])


def shown(page):
    """The text, its selection marked with « and »."""
    value, start, end = page.get_by_label("Text (Markdown)").evaluate(
        "el => [el.value, el.selectionStart, el.selectionEnd]")
    return value[:start] + "«" + value[start:end] + "»" + value[end:]


def toolbar(page):
    return page.get_by_role("toolbar", name="Formatting")


def tool(page, name):
    return toolbar(page).get_by_role("button", name=name, exact=True)


@pytest.fixture
def editor(signed_in):
    """An editor's new page form."""
    page = signed_in("edith")
    page.goto("/new")
    expect(toolbar(page)).to_be_visible()
    return page


def create(page, title, body):
    page.goto("/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text (Markdown)").fill(body)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Page created.")


SECTION = '??? "«Section title»"\n    Text of the section.\n'
CASES = [
    # button, before, after
    ("Bold", "say «hello» world", "say **«hello»** world"),
    ("Bold", "say «»", "say **«bold text»**"),
    ("Bold", "say **«hello»** world", "say «hello» world"),
    ("Bold", "«hello »world", "**«hello»** world"),
    ("Italic", "say «hello»", "say *«hello»*"),
    ("Italic", "«»", "*«italic text»*"),
    ("Italic", "**«word»**", "***«word»***"),
    ("Italic", "*«word»*", "«word»"),
    ("Heading", "Agenda«»", "## Agenda«»"),
    ("Heading", "## Agenda«»", "Agenda«»"),
    ("Heading", "### «Agenda»", "## «Agenda»"),
    ("Heading", "Intro\n«»", "Intro\n## «Heading»"),
    ("Link", "see «the notes»", "see [the notes](«https://»)"),
    ("Link", "«»", "[«link text»](https://)"),
    ("Link", "«https://example.org»", "[«link text»](https://example.org)"),
    ("Bulleted list", "«one\ntwo»", "«- one\n- two»"),
    ("Bulleted list", "«»", "- «List item»"),
    ("Bulleted list", "«- one\n- two»", "«one\ntwo»"),
    ("Numbered list", "«one\n\ntwo»", "«1. one\n\n2. two»"),
    ("Numbered list", "«»", "1. «List item»"),
    ("Quote", "«one\ntwo»", "«> one\n> two»"),
    ("Quote", "Intro\n«»", "Intro\n> «Quoted text»"),
    ("Table", "«»", "| «Column 1» | Column 2 |\n| --- | --- |\n| Text | Text |\n"),
    ("Table", "Intro«»", "Intro\n\n| «Column 1» | Column 2 |\n| --- | --- |\n| Text | Text |\n"),
    ("Table", "«site\tcarbon\nplot-1\t42»", "«| site | carbon |\n| --- | --- |\n| plot-1 | 42 |»\n"),
    ("Code", "run «ls -l» now", "run `«ls -l»` now"),
    ("Code", "«»", "`«code»`"),
    ("Code", "«a = 1\nb = 2»", "«```\na = 1\nb = 2\n```»\n"),
    ("Code", "«```\na = 1\n```»", "«a = 1»"),
    ("Folded section", "«»", SECTION),
    ("Folded section", "Intro\n«one\ntwo»", 'Intro\n\n??? "«Section title»"\n    one\n    two\n'),
    ("Panel", "«»", '!!! info "«Panel title»"\n    Text of the panel.\n'),
    ("Panel", "«Bring boots.»\n\nMore", '!!! info "«Panel title»"\n    Bring boots.\n\nMore'),
]


def test_each_button_on_a_selection_and_on_an_empty_one(editor):
    problems = []
    for name, before, after in CASES:
        select(editor, before)
        tool(editor, name).click()
        if shown(editor) != after:
            problems.append(f"{name} on {before!r}: {shown(editor)!r}, expected {after!r}")
    assert not problems, "\n".join(problems)


def test_shortcuts_undo_and_the_live_preview(editor):
    area = editor.get_by_label("Text (Markdown)")
    select(editor, "Compost «matters» for soil")
    area.press("Control+b")
    assert shown(editor) == "Compost **«matters»** for soil"
    area.press("Control+i")
    assert shown(editor) == "Compost ***«matters»*** for soil"
    # The live preview follows the button's change
    expect(editor.locator("#preview strong em, #preview em strong")).to_have_text("matters")
    area.press("Control+z")  # undone like typing
    expect(area).to_have_value("Compost **matters** for soil")
    area.press("Control+z")
    expect(area).to_have_value("Compost matters for soil")
    expect(editor.locator("#preview strong")).to_have_count(0)

    select(editor, "see «the notes»")
    area.press("Control+k")
    assert shown(editor) == "see [the notes](«https://»)"
    editor.keyboard.type("https://example.org/notes")
    expect(editor.locator("#preview a", has_text="the notes")).to_have_attribute(
        "href", "https://example.org/notes")

    # A button's title says its shortcut
    expect(tool(editor, "Bold")).to_have_attribute("title", "Bold (Ctrl+B)")
    expect(tool(editor, "Bold")).to_have_attribute("aria-keyshortcuts", "Control+B Meta+B")

    area.press("Control+Shift+K")  # the wiki link panel
    expect(editor.get_by_role("combobox", name="Page to link to")).to_be_focused()


def test_wiki_link_suggestions_chosen_from_the_keyboard(signed_in):
    page = signed_in("edith")
    create(page, "Toolbar Soil Atlas", "Maps of soil carbon.")
    create(page, "Toolbar Soil Moisture Guide", "Probes and readings.")
    page.goto("/new")
    area = page.get_by_label("Text (Markdown)")
    select(page, "Read «»")

    area.press("Control+Shift+K")
    box = page.get_by_role("combobox", name="Page to link to")
    expect(box).to_be_focused()
    box.press_sequentially("toolbar soil")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text(["Toolbar Soil Atlas", "Toolbar Soil Moisture Guide"])
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "wikilink-option-1")
    box.press("Enter")
    expect(area).to_be_focused()
    assert shown(page) == "Read [[Toolbar Soil Moisture Guide]]«»"
    expect(page.locator("#preview a", has_text="Toolbar Soil Moisture Guide")).to_be_visible()

    # With words selected, they become the link's text; accents and case aside
    select(page, "See the «atlas».")
    tool(page, "Link to a wiki page").click()
    expect(box).to_have_value("atlas")  # the words selected are looked up first
    expect(options).to_have_text(["Toolbar Soil Atlas"])
    box.fill("MOISTURE")
    expect(options).to_have_text(["Toolbar Soil Moisture Guide"])
    box.press("ArrowDown")
    box.press("Enter")
    assert shown(page) == "See the [[Toolbar Soil Moisture Guide|atlas]]«»."

    # Nothing found says so; Escape closes the list, then the panel, keeping the text as it was
    select(page, "Draft «»")
    tool(page, "Link to a wiki page").click()
    box.press_sequentially("zzqx nowhere")
    expect(page.get_by_role("status").filter(has_text="No page has these words")).to_be_visible()
    box.press("Escape")
    expect(box).to_be_hidden()
    expect(area).to_be_focused()
    assert shown(page) == "Draft «»"


def test_the_toolbar_from_the_keyboard(editor, tab_to, focus_is_visible):
    keyboard = editor.keyboard
    bold = tool(editor, "Bold")
    tab_to(editor, bold)
    assert focus_is_visible(editor)
    keyboard.press("ArrowRight")
    expect(tool(editor, "Italic")).to_be_focused()
    keyboard.press("End")
    last = toolbar(editor).get_by_role("button").last
    expect(last).to_be_focused()
    keyboard.press("ArrowRight")  # round to the first
    expect(bold).to_be_focused()
    keyboard.press("ArrowLeft")
    expect(last).to_be_focused()
    keyboard.press("Home")
    expect(bold).to_be_focused()
    # One tab stop: the button used last, and Tab goes on to the text
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    expect(tool(editor, "Heading")).to_be_focused()
    assert toolbar(editor).locator("[tabindex='0']").count() == 1
    keyboard.press("Tab")
    area = editor.get_by_label("Text (Markdown)")
    expect(area).to_be_focused()
    keyboard.type("Agenda")
    keyboard.press("Shift+Tab")
    expect(tool(editor, "Heading")).to_be_focused()
    keyboard.press("Enter")
    assert shown(editor) == "## Agenda«»"


def test_attachment_button_inserts_a_file_of_the_page(signed_in):
    page = signed_in("edith")
    page.goto("/new")
    attach = tool(page, "Insert an attachment")
    attach.click()
    expect(page.get_by_text("A new page has no files: save it first")).to_be_visible()
    page.get_by_role("button", name="Cancel", exact=True).first.click()

    create(page, "Toolbar Field Photos", "Photos of the day.\n")
    page.goto("/wiki/toolbar-field-photos/edit")
    area = page.get_by_label("Text (Markdown)")
    select(page, "Photos of the day.\n«»")
    attach.click()
    expect(attach).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("This page has no files yet.")).to_be_visible()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload a file…").click()
    chooser.value.set_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Field notes\n"})
    expect(area).to_have_value("Photos of the day.\n[notes.txt](<notes.txt>)")

    # The file uploaded is offered from now on, and on the next visit
    select(page, "See «the notes».")
    attach.click()
    files = page.get_by_role("group", name="Insert a file of this page")
    files.get_by_role("button", name="notes.txt").click()
    expect(area).to_be_focused()
    assert shown(page) == "See [notes.txt](<notes.txt>)«»."
    page.reload()
    attach.click()
    choice = page.get_by_role("button", name="notes.txt")
    expect(choice).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("group", name="Insert a file of this page")).to_be_hidden()
    expect(attach).to_have_attribute("aria-expanded", "false")


def test_no_toolbar_without_javascript(browsing):
    page = browsing.new_page(javascript=False)
    _sign_in(page, "edith")
    page.goto("/new")
    expect(page.get_by_label("Text (Markdown)")).to_be_visible()
    expect(page.get_by_text("Markdown help")).to_be_visible()
    expect(page.get_by_role("toolbar")).to_have_count(0)
    expect(page.locator(".md-toolbar-area")).to_be_hidden()


def test_toolbar_accessibility_and_phone_width(signed_in, check_accessibility):
    page = signed_in("edith")
    page.goto("/new")
    assert check_accessibility(page) == []
    select(page, "«»")
    tool(page, "Link to a wiki page").click()
    page.get_by_role("combobox", name="Page to link to").press_sequentially("soil")
    expect(page.get_by_role("listbox", name="Pages").get_by_role("option").first).to_be_visible()
    page.get_by_role("combobox", name="Page to link to").press("ArrowDown")
    assert check_accessibility(page) == []

    page.set_viewport_size(PHONE)
    page.goto("/new")
    bar = toolbar(page)
    expect(bar).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    last = bar.get_by_role("button").last.bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"]  # the buttons wrap onto another row
