"""Attaching files in the browser: with the page's form (also without
JavaScript and from the keyboard), by dropping files on the page with a
progress bar, and by dropping them on the editor's text, which inserts their
Markdown; refused files say why and never cost the editor's text; the
Attachments section, on a desktop and on a phone.

These tests have a server of their own, with a 6 MB upload limit: a file
over it is quick to make and to refuse, and one under it is still larger
than any other request may be (MAX_CONTENT_LENGTH, 4 MB). Each test works
on its own page of the seed content. A drop is simulated as Playwright
recommends: dragenter, dragover and drop events carrying a DataTransfer with
File objects made in the page.
"""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import ARTIFACTS, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIMIT = 6 * 1024 * 1024  # MAX_ATTACHMENT_BYTES of this module's server
PHONE = {"width": 375, "height": 812}
# The section as it looks, for a person to check: test-artifacts/browser/attachments/section-*.png
SCREENSHOTS = ARTIFACTS / "attachments"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The wiki with the seed content, as conftest.py's server, but with a
    small upload limit (the request limit follows it for uploads only)."""
    with seeded_server(tmp_path_factory.mktemp("attachments-live"), MAX_ATTACHMENT_BYTES=str(LIMIT)) as url:
        yield url


# --- Files, and dropping them ---------------------------------------------------

def png(width=800, height=600, color="seagreen"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def pdf():
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def csv(rows):
    return ("site,carbon_t_ha\n" + "".join(f"plot-{i},{40 + i % 9}.5\n" for i in range(rows))).encode()


def upload_file(name, data):
    """What Playwright's set_input_files and file chooser take."""
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


def dropped_files(page, files):
    """A DataTransfer holding File objects made in the page from ``files``
    ({name: bytes}), as a drop from the desktop carries."""
    return page.evaluate_handle("""files => {
        const transfer = new DataTransfer();
        for (const [name, data] of Object.entries(files)) {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            transfer.items.add(new File([bytes], name));
        }
        return transfer;
    }""", {name: base64.b64encode(data).decode() for name, data in files.items()})


def drop(target, transfer):
    """Drag files over ``target`` and drop them there."""
    for kind in ("dragenter", "dragover", "drop"):
        target.dispatch_event(kind, {"dataTransfer": transfer})


def throttle_uploads(page, bytes_per_second):
    """A slow connection up (not down): progress events have time to fire."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                   "uploadThroughput": bytes_per_second})
    return cdp


def watch_progress(bar):
    """Record every value the progress bar shows (read with ``seen_progress``)."""
    bar.evaluate("""bar => {
        window.progressSeen = [];
        new MutationObserver(() => { if (!bar.hidden) window.progressSeen.push(bar.value); })
            .observe(bar, {attributes: true});
    }""")


def seen_progress(page):
    return page.evaluate("window.progressSeen")


def stays_on_this_document(page):
    """Mark the document: ``still_here(page)`` is False once it was reloaded or left."""
    page.evaluate("window.notReloaded = true")


def still_here(page):
    return page.evaluate("window.notReloaded === true")


def open_editor(page, slug):
    page.goto(f"/wiki/{slug}/edit")
    return page.get_by_label("Text (Markdown)")


def files_section(page):
    return page.get_by_role("region", name="Attachments")


def listed(section, name):
    return section.locator("li.file", has=section.page.get_by_role("link", name=name, exact=True))


# --- Uploading ---------------------------------------------------------------------

def test_an_editor_attaches_files_with_the_form_without_javascript(browsing, sign_in):
    page = browsing.new_page(javascript=False)
    sign_in(page, "edith")
    page.goto("/wiki/field-day-2025")
    section = files_section(page)
    expect(section.get_by_text("No files attached.")).to_be_visible()
    expect(section.get_by_text("drop files")).to_be_hidden()  # dropping needs the script

    section.get_by_label("Attach files").set_input_files([upload_file("farm-map.png", png()),
                                                          upload_file("programme.pdf", pdf())])
    section.get_by_role("button", name="Upload").click()

    expect(page.locator(".flash")).to_have_text("Attached farm-map.png, programme.pdf.")
    assert page.url.endswith("/wiki/field-day-2025#attachments")
    expect(section.get_by_role("heading")).to_have_text("Attachments (2)")
    photo, programme = listed(section, "farm-map.png"), listed(section, "programme.pdf")
    expect(photo.locator("img")).to_have_attribute("src", "/wiki/field-day-2025/files/farm-map.png")
    expect(photo).to_contain_text("PNG")
    expect(programme).to_contain_text("PDF")
    expect(programme).to_contain_text("Edith Editor")

    # The editor, without the script, says where files are attached, in a new tab
    text = open_editor(page, "field-day-2025")
    expect(page.get_by_label("Attach and insert files")).to_be_hidden()
    link = page.get_by_role("link", name="its Attachments (opens in a new tab)")
    expect(link).to_have_attribute("href", "/wiki/field-day-2025#attachments")
    expect(link).to_have_attribute("target", "_blank")
    expect(text).to_be_editable()


def test_files_dropped_on_the_page_upload_with_a_progress_bar(signed_in):
    page = signed_in("edith")
    text = open_editor(page, "mapping-clinic")  # the page refers to a file it does not have yet
    text.fill(text.input_value() + "\nThe strata of the example: [strata table](strata.csv).\n")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Page saved.")
    reference = page.locator(".page-content a.attachment", has_text="strata table")
    expect(reference).to_have_class("attachment missing")
    section = files_section(page)
    expect(section.get_by_text("Or drop files anywhere on the page.")).to_be_visible()
    bar = section.locator(".upload-progress")
    expect(bar).to_be_hidden()
    stays_on_this_document(page)
    watch_progress(bar)
    cdp = throttle_uploads(page, 4 * 1024 * 1024)
    survey = csv(330_000)  # 5.2 MB: more than other requests may be, and a second or more to send

    transfer = dropped_files(page, {"strata.csv": survey})
    target = page.locator(".page-content p").first  # anywhere on the page
    target.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(page.locator("body")).to_have_class("dragging-files")  # the whole window says "drop here"
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.locator("body")).not_to_have_class("dragging-files")

    status = section.get_by_role("status")
    expect(bar).to_be_visible()
    expect(status).to_have_text("Uploading strata.csv…")
    expect(status).to_have_text("Attached strata.csv.", timeout=20_000)
    expect(bar).to_be_hidden()
    cdp.detach()
    assert any(0 < value < 100 for value in seen_progress(page)), seen_progress(page)

    # The list and the page's link are up to date, without reloading the page (the message stays)
    expect(reference).to_have_class("attachment")
    expect(reference).to_have_attribute("href", "/wiki/mapping-clinic/files/strata.csv")
    expect(listed(section, "strata.csv")).to_contain_text("CSV")
    expect(listed(section, "strata.csv")).to_contain_text("5.2 MB")
    expect(section.get_by_role("heading")).to_have_text("Attachments (1)")
    assert still_here(page)
    expect(status).to_have_text("Attached strata.csv.")

    # Dropped again: a new version of the same name, the older one listed
    drop(target, dropped_files(page, {"strata.csv": csv(10)}))
    expect(status).to_have_text("Attached strata.csv.")
    expect(listed(section, "strata.csv")).to_contain_text("version 2")
    expect(listed(section, "strata.csv").get_by_text("Older versions (1)")).to_be_visible()


def test_a_file_dropped_on_the_text_is_inserted_at_the_cursor_and_previewed(signed_in):
    page = signed_in("edith")
    text = open_editor(page, "sampling-methods-primer")
    stays_on_this_document(page)
    text.fill("Soil pits on the transect.\n\n\n\nBulk density follows.\n")
    text.press("Control+Home")
    text.press("ArrowDown")
    text.press("ArrowDown")  # on the empty line between the paragraphs

    drop(text, dropped_files(page, {"soil pit.png": png(1800, 1200, "sienna")}))

    editor_files = page.locator(".editor-files")
    expect(editor_files.get_by_role("status")).to_have_text("Attached soil pit.png.")
    expect(text).to_have_value("Soil pits on the transect.\n\n![soil pit.png](<soil pit.png>)\n\n"
                               "Bulk density follows.\n")
    expect(text).to_be_focused()
    # The live preview shows the image, at its size (a smaller copy of a large image)
    image = page.locator("#preview img[alt='soil pit.png']")
    expect(image).to_have_attribute("src", "/wiki/sampling-methods-primer/files/soil%20pit.png?rendition=1")
    expect(image).to_have_attribute("width", str(image.evaluate("img => img.naturalWidth")))
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert still_here(page)

    page.get_by_label("Edit summary").fill("Photo of a soil pit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Page saved.")
    expect(page.locator(".page-content img[alt='soil pit.png']")).to_be_visible()


def test_a_refused_file_says_why_and_keeps_the_text(signed_in, browsing):
    browsing.allow_console(r"status of (400|413)")
    page = signed_in("edith")
    text = open_editor(page, "shared-agenda")
    stays_on_this_document(page)
    typed = text.input_value() + "Poster session\n"
    text.fill(typed)
    status = page.locator(".editor-files").get_by_role("status")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and "/files" in r.url else None)

    # Empty: the server says so
    drop(text, dropped_files(page, {"empty.txt": b""}))
    expect(status).to_have_text("“empty.txt” is empty: there is nothing to attach.")
    assert len(sent) == 1

    # Over the limit: refused before a byte is sent
    drop(text, dropped_files(page, {"survey.txt": b"x" * (LIMIT + 1)}))
    expect(status).to_have_text("“survey.txt” is larger than the 6 MB a file may be.")
    assert len(sent) == 1

    # A page loaded before the limit was lowered: the server refuses, in its words
    page.locator(".editor-files").evaluate("zone => { zone.dataset.maxBytes = String(100 * 1024 * 1024); }")
    drop(text, dropped_files(page, {"survey.txt": b"x" * (LIMIT + 1)}))  # too large a file
    expect(status).to_have_text("“survey.txt” is larger than the 6 MB a file may be.")
    drop(text, dropped_files(page, {"survey.txt": b"x" * (LIMIT + 1024 * 1024 + 1)}))  # too large a request
    expect(status).to_have_text("That is more than the 6 MB a file may be: nothing was attached.")
    assert len(sent) == 3
    expect(status).to_have_class("upload-status refused")

    # Nothing went away: the text as typed, on the same page, and it saves
    expect(text).to_have_value(typed)
    assert still_here(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Page saved.")
    expect(page.locator(".page-content")).to_contain_text("Poster session")
    expect(files_section(page).get_by_text("No files attached.")).to_be_visible()


def test_a_keyboard_user_attaches_files_on_the_page_and_in_the_editor(signed_in, tab_to, focus_is_visible):
    page = signed_in("edith")
    page.goto("/wiki/merge-agenda")
    chooser = page.get_by_label("Attach files")
    tab_to(page, chooser)
    assert focus_is_visible(page)
    with page.expect_file_chooser() as opened:
        page.keyboard.press("Space")
    opened.value.set_files(upload_file("lunch-menu.pdf", pdf()))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Upload")).to_be_focused()
    page.keyboard.press("Enter")
    section = files_section(page)
    expect(section.get_by_role("status")).to_have_text("Attached lunch-menu.pdf.")
    expect(listed(section, "lunch-menu.pdf")).to_be_visible()

    # In the editor: the chooser under the text inserts where the cursor was
    text = open_editor(page, "merge-agenda")
    text.press("Control+Home")
    text.press("ArrowDown")
    text.press("End")
    page.keyboard.type(", menu: ")
    tab_to(page, page.get_by_label("Attach and insert files"))  # the cursor stays in the text
    assert focus_is_visible(page)
    with page.expect_file_chooser() as opened:
        page.keyboard.press("Space")
    opened.value.set_files(upload_file("menu.pdf", pdf()))
    expect(page.locator(".editor-files").get_by_role("status")).to_have_text("Attached menu.pdf.")
    expect(text).to_have_value("Morning: field visit\nNoon: lunch at the farm, menu: [menu.pdf](<menu.pdf>)\n"
                               "Afternoon: group work\nEvening: dinner in town\n")
    expect(page.locator("#preview a.attachment")).to_have_attribute("href",
                                                                    "/wiki/merge-agenda/files/menu.pdf")


# --- The Attachments section ------------------------------------------------------

def test_the_attachments_section_at_desktop_and_phone_width(signed_in, browsing, check_accessibility):
    page = signed_in("edith")
    page.goto("/wiki/community-links")
    section = files_section(page)
    chooser = section.get_by_label("Attach files")
    chooser.set_input_files([upload_file("meeting-room.png", png(2000, 1250)),
                             upload_file("minutes.pdf", pdf()), upload_file("contacts.csv", csv(3)),
                             upload_file("a-long-name-for-the-final-report-of-the-soil-carbon-"
                                         "monitoring-workshop-2026.txt", b"Final report")])
    section.get_by_role("button", name="Upload").click()
    status = section.get_by_role("status")
    expect(status).to_contain_text("Attached meeting-room.png, minutes.pdf, contacts.csv")
    chooser.set_input_files([upload_file("contacts.csv", csv(5))])
    section.get_by_role("button", name="Upload").click()
    expect(listed(section, "contacts.csv")).to_contain_text("version 2")

    # Name, type, size, uploader and date; an image as a thumbnail (its smaller copy)
    page.reload()  # as a visitor finds it
    expect(section.get_by_role("heading")).to_have_text("Attachments (4)")
    room = listed(section, "meeting-room.png")
    thumbnail = room.locator(".thumbnail img")
    expect(thumbnail).to_have_attribute("src", "/wiki/community-links/files/meeting-room.png?rendition=1")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    minutes = listed(section, "minutes.pdf")
    expect(minutes.locator(".file-icon")).to_have_text("PDF")
    expect(minutes.locator(".meta")).to_have_text(f"PDF · {len(pdf())} bytes · Edith Editor, just now")
    expect(minutes.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))

    # Older versions, listed and downloadable
    contacts = listed(section, "contacts.csv")
    contacts.get_by_text("Older versions (1)").click()
    old = contacts.get_by_role("link", name="Version 1 of contacts.csv")
    expect(old).to_be_visible()
    response = page.request.get(old.get_attribute("href"))
    assert response.body() == csv(3)
    response.dispose()

    assert check_accessibility(page) == []
    section.screenshot(path=SCREENSHOTS / "section-desktop.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = section.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    section.screenshot(path=SCREENSHOTS / "section-phone.png")

    # A visitor sees the list, no Delete and no form, and the page passes axe
    visitor = browsing.new_page()
    visitor.goto("/wiki/community-links")
    visitor_section = files_section(visitor)
    expect(visitor_section.locator("li.file")).to_have_count(4)
    expect(visitor_section.get_by_role("button")).to_have_count(0)
    assert check_accessibility(visitor) == []

    # Deleting: a button per file, for editors
    page.set_viewport_size({"width": 1280, "height": 900})
    contacts.get_by_role("button", name="Delete contacts.csv").click()
    expect(page.locator(".flash")).to_have_text("“contacts.csv” was deleted. An admin can restore it.")
    expect(listed(section, "contacts.csv")).to_have_count(0)
    expect(section.get_by_role("heading")).to_have_text("Attachments (3)")


def test_the_editor_with_its_file_chooser_passes_axe(signed_in, check_accessibility):
    page = signed_in("edith")
    open_editor(page, "community-links")
    expect(page.get_by_label("Attach and insert files")).to_be_visible()
    expect(page.get_by_text("Drop files on the text")).to_be_visible()
    expect(page.get_by_role("link", name="its Attachments (opens in a new tab)")).to_be_hidden()
    assert check_accessibility(page) == []
