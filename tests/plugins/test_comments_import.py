"""Comment threads an import brings (the ``import_page_comments`` hook, as the
Confluence import calls it): the seed page's thread comes over numbered and
nested as it was, with its authors, dates and edits, visible at once whatever
the rules for visitors, searchable; importing again updates what changed and
never adds a comment twice; what the comments' Markdown cannot show stays
readable; the wiki's own changes since are kept."""

import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from support.recorder_plugin import Recorder
from test_comments import Elements, Thread, all_comments, view

from plugins.comments.models import Comment
from wiki.accounts import create_user
from wiki.api import CommentRecord, FileVersionRecord, hook
from wiki.extensions import db
from wiki.models import RateEvent

pytestmark = pytest.mark.usefixtures("app")

# The rules a visitor's comment meets, at their strictest: an import meets none.
STRICT = {"COMMENTS_ANONYMOUS": "moderated", "COMMENTS_MAX_CHARS": 100, "COMMENTS_RATE_LIMIT": (1, 3600),
          "COMMENTS_MAX_LINKS_ANONYMOUS": 0, "COMMENTS_MIN_SECONDS": 3600}


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, recorder):
    app = app_factory(PLUGINS=["comments", "attachments"], EXTRA_PLUGINS=[recorder],
                      ATTACHMENTS_EXTRACT_IN_BACKGROUND=False, **STRICT)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop April 2021", "Agenda.\n")


@pytest.fixture
def noel(app):
    return create_user("noel", "noel's long password", "member", display_name="Noel Oettle")


def at(day, hour, minute=0):
    return datetime(2021, 4, day, hour, minute)


def record(key, markdown, parent=None, author=None, name=None, created=None, edited=None):
    return CommentRecord(key=f"confluence:COP:{key}", parent_key=parent and f"confluence:COP:{parent}",
                         author=author, author_name=name, created=created or at(20, 9), edited=edited,
                         markdown=markdown)


def seed_thread(noel):
    """The thread of ../shared/seeds/workshop-page.txt, as the Confluence
    export gives it: ten comments, the nested "Me too", anonymous ones."""
    return [
        record(101, "Bonjour à toute l'équipe d'organisation.\nJe viens demander comment s'inscrire "
                    "car je vois pas de lien.", name="Awa", created=at(12, 8, 15)),
        record(102, "Thanks very much for linking us will this wonderful capacity building opportunity.",
               created=at(13, 10)),
        record(103, "Nous sommes tellement intéressés de pouvoir participer à cette noble session.",
               created=at(14, 11)),
        record(104, "Soils are crucial for society development and game changer.", created=at(15, 12)),
        record(105, "I get an error when trying to join the sessions", created=at(27, 11, 5)),
        record(106, "I have been unable to join the session, and repeatedly receive an error message\n\n"
                    "Noel Oettle, South Africa", author=noel, created=at(27, 11, 7),
               edited=at(27, 11, 9)),
        record(107, "Me too. I am getting this error", parent=106, created=at(27, 11, 8)),
        record(108, "Same here in Germany", created=at(27, 11, 10)),
        record(109, "There is a technical problem, we are trying to restart at 14:00 CEST. "
                    "Please be patient!", author=noel, created=at(27, 11, 20)),
        record(110, "Yesterday there were some global technical problems by our provider Microsoft Teams.\n\n"
                    "Today all links should work.", created=at(28, 9)),
        record(111, "I will be join first time Session 2: Wednesday, April 28.\n\nCan I join from this page?",
               created=at(28, 10)),
    ]


def import_thread(page, records):
    """Call the hook as the import does: (its answer, the notes)."""
    notes = []
    return hook().import_page_comments(page=page, comments=records, note=notes.append), notes


def by_key(page):
    return {c.source_key.rsplit(":", 1)[1]: c for c in all_comments(page)}


# -- the thread comes over as it was ----------------------------------------------------


def test_the_seed_thread_comes_over_numbered_nested_and_signed(client, page, noel, recorder):
    counts, notes = import_thread(page, seed_thread(noel))
    assert counts == (11, 0, 0) and notes == []
    assert recorder.called("import_page_comments") == [
        {"slug": page.slug, "keys": [f"confluence:COP:{n}" for n in range(101, 112)]}]

    html = view(client, page)
    thread = Thread(html)
    assert thread.numbers() == ["1", "2", "3", "4", "5", "6", "6.1", "7", "8", "9", "10"]
    comments = by_key(page)
    assert thread.items[comments["107"].id]["under"] == comments["106"].id  # "Me too" answers 6
    ids = [comments[str(key)].id for key in range(101, 112)]
    assert ids == sorted(ids)  # in posting order, as a thread numbers them
    assert '<a class="comment-count" href="#comments">11 comments</a>' in html

    def meta(key):
        return html.split(f'id="comment-{comments[key].id}"')[1].split("</header>")[0]

    assert '<span class="comment-author guest">Awa <span class="author-badge"' in meta("101")
    assert '<span class="comment-author guest">Anonymous</span>' in meta("103")
    assert '<span class="comment-author member">Noel Oettle <span class="author-badge"' in meta("106")
    assert 'datetime="2021-04-27T11:07:00Z"' in meta("106")
    assert 'datetime="2021-04-12T08:15:00Z"' in meta("101")
    edited = '<span class="comment-edited" title="Edited Apr 27, 2021 11:09\u202fAM UTC">edited</span>'
    assert edited in meta("106")
    assert "comment-edited" not in meta("107")
    assert "Nous sommes tellement intéressés" in html
    assert "Noel Oettle, South Africa" in html


def test_imported_comments_meet_none_of_the_visitors_rules(client, page):
    """Moderation, the length limit, the link rule and the rate limit are
    for visitors: an import is an admin's act, and its text is never cut."""
    long_text = "Links: https://a.example https://b.example https://c.example " + "word " * 60
    counts, notes = import_thread(page, [record(n, long_text, created=at(20, n % 24)) for n in range(1, 6)])
    assert counts == (5, 0, 0) and notes == []
    comments = all_comments(page)
    assert {c.status for c in comments} == {"visible"}
    assert all(c.body == long_text.strip() for c in comments)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateEvent)) == 0
    assert len(Thread(view(client, page)).numbers()) == 5


def test_each_new_comment_fires_its_event_after_the_commit(page, noel, recorder):
    import_thread(page, seed_thread(noel)[:3])
    posted = [args["id"] for args in recorder.called("comment_posted")]
    assert posted == [c.id for c in all_comments(page)]


def test_old_imported_comments_do_not_pass_for_recent_ones(client, page, noel):
    """The home page and the feed list comments by the date they were posted."""
    from plugins.comments.service import post_comment

    post_comment(page, noel, "Posted on the wiki today.")
    import_thread(page, seed_thread(noel)[:2])
    home = client.get("/").text
    assert home.index("Posted on the wiki today.") < home.index("Bonjour à toute")
    feed = client.get("/comments.atom").text
    assert feed.index("Posted on the wiki today.") < feed.index("Thanks very much") < feed.index("Bonjour")


def test_imported_comments_are_searched_like_any_comment(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "with-search"))
    app = app_factory(PLUGINS=["comments", "search"])
    with app.app_context():
        from wiki.api import create_page

        page = create_page("Questions", "Ask here.\n", None)
        import_thread(page, [record(1, "Quelle profondeur d'échantillonnage pour le carbone ?",
                                    name="Jeanne")])
        comment = all_comments(page)[0]
        app.extensions["wiki.search"].indexer.catch_up()
        html = app.test_client().get("/search", query_string={"q": "profondeur type:comment"}).text
        assert f'href="/wiki/questions#comment-{comment.id}"' in html
        db.session.remove()


# -- importing again ---------------------------------------------------------------------


def test_importing_again_changes_nothing_and_adds_nothing(page, noel, recorder):
    import_thread(page, seed_thread(noel))
    first = {key: (c.id, c.html) for key, c in by_key(page).items()}
    recorder.calls.clear()
    counts, notes = import_thread(page, seed_thread(noel))
    assert counts == (0, 0, 11) and notes == []
    assert {key: (c.id, c.html) for key, c in by_key(page).items()} == first
    assert not recorder.called("comment_posted") and not recorder.called("comment_edited")


def test_importing_again_updates_what_changed_in_text_or_dates(client, page, noel, recorder):
    import_thread(page, seed_thread(noel))
    again = seed_thread(noel)
    again[4] = record(105, "I get an error when trying to join the sessions (fixed now)",
                      created=at(27, 11, 5), edited=at(27, 15))
    again[7] = record(108, "Same here in Germany", created=at(27, 11, 11))  # a date corrected
    again.append(record(112, "Thank you, it works.", parent=107, created=at(28, 12)))
    recorder.calls.clear()
    counts, notes = import_thread(page, again)
    assert counts == (1, 2, 9) and notes == []
    comments = by_key(page)
    assert len(comments) == 12
    assert "(fixed now)" in comments["105"].html and comments["105"].edited_at == at(27, 15)
    assert comments["108"].created_at == at(27, 11, 11)
    assert [a["id"] for a in recorder.called("comment_edited")] == [comments["105"].id, comments["108"].id]
    assert Thread(view(client, page)).number(comments["112"]) == "6.1.1"


def test_a_reply_whose_comment_is_missing_goes_to_the_top_with_a_note(client, page):
    records = [record(1, "First"), record(3, "An answer to a comment the export lost", parent=2)]
    counts, notes = import_thread(page, records)
    assert counts == (2, 0, 0)
    assert notes == ["comment confluence:COP:3 answers comment confluence:COP:2, which is not in the "
                     "import: it is placed at the top of the thread"]
    assert Thread(view(client, page)).numbers() == ["1", "2"]

    # The export repaired: the reply moves under the comment it answers.
    counts, notes = import_thread(page, [record(1, "First"), record(2, "The lost one", created=at(20, 8)),
                                         *records[1:]])
    assert counts == (1, 1, 1) and notes == []
    comments = by_key(page)
    assert comments["3"].parent_id == comments["2"].id


def test_a_loop_of_replies_is_broken_with_a_note(client, page):
    """A damaged export where two comments answer each other: both stay in the thread."""
    import_thread(page, [record(1, "One", parent=2), record(2, "Two", parent=1)])
    counts, notes = import_thread(page, [record(1, "One", parent=2), record(2, "Two", parent=1)])
    assert counts == (0, 0, 2)
    assert "comment confluence:COP:1 would answer its own reply confluence:COP:2" in notes[0]
    assert Thread(view(client, page)).numbers() == ["1", "1.1"]


def test_a_key_the_wiki_has_on_another_page_is_not_moved(page, make_page):
    other = make_page("Other page")
    import_thread(other, [record(1, "Here first")])
    counts, notes = import_thread(page, [record(1, "Claimed by another page"), record(2, "Fine")])
    assert counts == (1, 0, 0)
    assert notes == ["comment confluence:COP:1 was not imported: the wiki has it on another page "
                     "(other-page)"]
    assert [c.body for c in all_comments(other)] == ["Here first"]


def test_what_the_wiki_changed_since_is_kept(page, noel, as_editor):
    """A comment deleted on the wiki stays deleted, a hidden one stays hidden,
    one edited on the wiki after the export keeps the wiki's text."""
    import_thread(page, seed_thread(noel))
    comments = by_key(page)
    as_editor.post(f"/comments/{comments['104'].id}/delete")
    as_editor.post(f"/comments/{comments['108'].id}/hide")
    as_editor.post(f"/comments/{comments['102'].id}/edit", data={"comment-body": "Corrected on the wiki."})
    changed = seed_thread(noel)
    changed[7] = record(108, "Same here in Germany, and in Austria", created=at(27, 11, 10))
    counts, notes = import_thread(page, changed)
    assert counts == (0, 1, 10)
    assert notes == ["comment confluence:COP:102 was edited on the wiki after its last change in the "
                     "export: the wiki's text is kept"]
    db.session.expire_all()
    comments = by_key(page)
    assert (comments["104"].status, comments["104"].body) == ("deleted", "")
    assert comments["108"].status == "hidden" and "Austria" in comments["108"].body
    assert comments["102"].body == "Corrected on the wiki."


# -- what the comments' Markdown cannot show ------------------------------------------------------


def test_headings_images_and_files_stay_readable(client, page):
    markdown = ("## Agenda for day 2\n\n"
                "My screenshot: ![the error](<error (1).png>) and ![](https://example.org/shot.png)\n\n"
                "[the slides](slides.pdf), [[Session 1]] and [[Board^minutes.pdf|the minutes]]\n\n"
                "| Session | Room |\n|---|---|\n| 1 | A |\n\n"
                '<table markdown="1">\n<tr markdown="1">\n<th colspan="2">Merged</th>\n</tr>\n'
                '<tr markdown="1">\n<td>1</td>\n<td>**A**</td>\n</tr>\n</table>\n\n'
                '<a id="top"></a>Status: <span class="status status-green">**\\[DONE\\]**</span> 5 &lt; 6\n\n'
                "```\n## a heading in code stays\n![x](code.png)\n```")
    import_thread(page, [record(1, markdown)])
    html = all_comments(page)[0].html
    elements = Elements(html)
    assert elements.tags <= {"p", "a", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote"}
    assert "<strong>Agenda for day 2</strong>" in html
    assert f'<a href="/wiki/{page.slug}/files/error%20%281%29.png">the error</a>' in html
    assert ('<a href="https://example.org/shot.png" rel="nofollow ugc noopener">'
            "https://example.org/shot.png</a>") in html
    assert f'<a href="/wiki/{page.slug}/files/slides.pdf">the slides</a>' in html
    # What comments have no form for shows as its text.
    assert "[[Session 1]]" in html and "[[Board^minutes.pdf|the minutes]]" in html
    assert "| Session | Room |" in html
    # The HTML the import writes where Markdown has no syntax gives way to its words.
    assert "| Merged |<br>\n| 1 | <strong>A</strong> |" in html
    assert "Status: <strong>[DONE]</strong> 5 &lt; 6" in html and "&lt;span" not in html
    assert "## a heading in code stays\n![x](code.png)" in html


def test_a_file_link_leads_to_the_file_once_it_is_attached(client, page):
    import_thread(page, [record(1, "See ![the photo](photo.txt)")])
    link = Elements(all_comments(page)[0].html).hrefs[0]
    version = FileVersionRecord(number=1, open=lambda: io.BytesIO(b"a photo"), uploader=None,
                                created=at(20, 9))
    assert hook().import_file_versions(page=page, name="photo.txt", versions=[version], note=None) == (1, 0)
    with client.get(link) as response:
        assert response.status_code == 200 and response.data == b"a photo"


def test_without_a_files_plugin_a_file_reference_stays_as_written(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "no-files"))
    app = app_factory(PLUGINS=["comments"])
    with app.app_context():
        from wiki.api import create_page

        page = create_page("Plain", "Text.\n", None)
        import_thread(page, [record(1, "![photo](photo.png)")])
        assert all_comments(page)[0].html == "<p>![photo](photo.png)</p>"
        db.session.remove()


def test_without_the_comments_plugin_no_one_answers(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "no-comments"))
    app = app_factory(PLUGINS=[])
    with app.app_context():
        from wiki.api import create_page

        page = create_page("Plain", "Text.\n", None)
        assert import_thread(page, [record(1, "Lost?")]) == (None, [])
        assert not sa.inspect(db.engine).has_table(Comment.__tablename__)
        db.session.remove()
