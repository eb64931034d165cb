"""No lost update: a save on a stale revision merges or shows a conflict."""

import threading

from wiki import services
from wiki.extensions import db
from wiki.merge import merge_text
from wiki.models import Page, Revision, User

BASE = "Title line\n\nParagraph one.\n\nParagraph two.\n\nParagraph three.\n"


def current(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug)).current_revision


def test_merge_of_separate_lines_is_clean():
    theirs = BASE.replace("Paragraph one.", "Paragraph ONE.")
    mine = BASE.replace("Paragraph three.", "Paragraph THREE.")
    result = merge_text(BASE, theirs, mine)
    assert result.conflicts == 0
    assert "Paragraph ONE." in result.text and "Paragraph THREE." in result.text


def test_merge_of_the_same_line_conflicts_with_markers():
    result = merge_text(BASE, BASE.replace("two.", "2 (theirs)."), BASE.replace("two.", "II (mine)."))
    assert result.conflicts == 1
    assert "<<<<<<< saved version" in result.text and ">>>>>>> your version" in result.text
    assert "2 (theirs)." in result.text and "II (mine)." in result.text


def test_stale_save_with_separate_changes_merges(as_editor, make_page, users):
    page = make_page("Plan", BASE)
    other = db.session.get(User, users["admin"])
    # Someone saves revision 2 while our editor still has revision 1 open.
    services.save_page(page, BASE.replace("Paragraph one.", "Paragraph ONE."), other, base_number=1)
    response = as_editor.post("/wiki/plan/edit", data={
        "title": "Plan", "body": BASE.replace("Paragraph three.", "Paragraph THREE."),
        "base_revision": 1}, follow_redirects=True)
    assert "your changes were merged" in response.get_data(as_text=True)
    rev = current("plan")
    assert rev.number == 3
    assert "Paragraph ONE." in rev.body and "Paragraph THREE." in rev.body


def test_stale_save_with_overlapping_change_shows_conflict(as_editor, make_page, users):
    page = make_page("Plan", BASE)
    other = db.session.get(User, users["admin"])
    services.save_page(page, BASE.replace("two.", "two, revised by admin."), other, base_number=1)
    mine = BASE.replace("two.", "two, revised by editor.")
    response = as_editor.post("/wiki/plan/edit", data={"title": "Plan", "body": mine,
                                                       "base_revision": 1})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Edit conflict" in html
    # Both versions are shown, and the user's text is in the editor, untouched.
    assert "two, revised by admin." in html
    assert "Paragraph two, revised by editor.\n" in html.split('name="body"')[1]
    # The form now carries revision 2 as its base, and nothing was saved.
    assert 'name="base_revision" type="hidden" value="2"' in html
    assert current("plan").number == 2
    # Saving again from the conflict page is a deliberate choice and works.
    again = as_editor.post("/wiki/plan/edit", data={"title": "Plan", "body": mine, "base_revision": 2})
    assert again.status_code == 302
    assert current("plan").body == mine


def test_concurrent_saves_never_overwrite(app, make_page, users):
    """Threads save different lines of the same page, all from revision 1: every
    change lands (merged), none is silently lost. (Edited lines are kept apart by
    an unchanged one: adjacent changes conflict in a three-way merge, as in git.)"""
    lines = [f"line {i}\n" for i in range(16)]
    make_page("Race", "".join(lines))
    user_id = users["editor"]
    errors = []

    def edit(i):
        with app.app_context():
            try:
                page = db.session.scalar(db.select(Page).where(Page.slug == "race"))
                body = "".join(f"line {k} edited by {i}\n" if k == 2 * i else line
                               for k, line in enumerate(lines))
                services.save_page(page, body, db.session.get(User, user_id), base_number=1)
            except Exception as e:  # collected, asserted below
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    rev = current("race")
    assert rev.number == 9
    for i in range(8):
        assert f"line {2 * i} edited by {i}\n" in rev.body
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 9
