"""A comment's language: the one its words say (the search plugin's guess),
else its page's; set when it is posted, edited or imported, shown on its
text (``lang``) and in the feed (``xml:lang``), so a French comment under an
English page is read with French pronunciation."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from test_comments import QUIET, all_comments, posted, view

from plugins.comments.models import Comment
from wiki import services
from wiki.api import CommentRecord, hook
from wiki.cli import _CliUser
from wiki.extensions import db
from wiki.models import User

pytestmark = pytest.mark.usefixtures("app")

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# From the seed page's thread (../shared/seeds/workshop-page.txt).
FRENCH = ("Bonjour à toute l'équipe d'organisation.\nJe viens demander comment s'inscrire car je vois "
          "pas de lien.")
ENGLISH = "Thanks very much for linking us will this wonderful capacity building opportunity."
AMBIGUOUS = "Same here in Germany"


@pytest.fixture
def app(app_factory):
    """Comments, and search, whose stop words guess the language."""
    app = app_factory(PLUGINS=["comments", "search"], **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop April 2021", "Agenda.\n")


@pytest.fixture
def french_page(make_page, users):
    page = make_page("Atelier", "Le programme.\n")
    services.change_settings(page, db.session.get(User, users["editor"]), language="fr")
    return page


def shown_lang(html, comment):
    """The ``lang`` of the element that holds ``comment``'s text on the page."""
    match = re.search(rf'id="comment-{comment.id}".*?<div class="comment-body" lang="([^"]*)">', html, re.S)
    assert match, f"comment {comment.id} has no text with a lang"
    return match[1]


def test_a_french_comment_under_an_english_page_is_french(client, page):
    french = posted(client, page, FRENCH)
    english = posted(client, page, ENGLISH)
    assert (page.lang, french.lang, english.lang) == ("en", "fr", "en")
    html = view(client, page)
    assert shown_lang(html, french) == "fr" and shown_lang(html, english) == "en"


def test_a_comment_too_short_to_tell_takes_its_pages_language(client, page, french_page):
    assert posted(client, page, AMBIGUOUS).lang == "en"
    assert posted(client, french_page, AMBIGUOUS).lang == "fr"
    assert posted(client, french_page, "Merci !").lang == "fr"
    assert shown_lang(view(client, french_page), all_comments(french_page)[0]) == "fr"


def test_an_edit_says_the_new_words_language(as_editor, page):
    comment = posted(as_editor, page, ENGLISH)
    response = as_editor.post(f"/comments/{comment.id}/edit", data={"comment-body": FRENCH})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).lang == "fr"


def test_a_comment_of_before_languages_is_shown_in_its_pages_language(client, french_page):
    comment = posted(client, french_page, ENGLISH)
    comment.lang = None  # as the migration leaves older comments
    db.session.commit()
    assert shown_lang(view(client, french_page), comment) == "fr"


def test_imported_comments_get_their_language_too(page):
    def record(key, markdown):
        return CommentRecord(key=f"confluence:COP:{key}", parent_key=None, author=None, author_name=None,
                             created=datetime(2021, 4, 20, 9), edited=None, markdown=markdown)

    notes = []
    assert hook().import_page_comments(page=page, comments=[record(1, FRENCH), record(2, AMBIGUOUS)],
                                       note=notes.append) == (2, 0, 0)
    assert notes == [] and [c.lang for c in all_comments(page)] == ["fr", "en"]


def test_without_the_search_plugin_a_comment_is_in_its_pages_language(app_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "without-search"))  # a database of its own
    without_search = app_factory(PLUGINS=["comments"], **QUIET)
    with without_search.app_context():
        page = services.create_page("Workshop", "Agenda.\n", _CliUser())
        assert posted(without_search.test_client(), page, FRENCH).lang == "en"


def test_the_feed_says_each_comments_language_and_its_own(client, page, french_page):
    posted(client, page, FRENCH)
    posted(client, page, ENGLISH)
    posted(client, french_page, AMBIGUOUS)

    feed = ET.fromstring(client.get("/comments.atom").data)  # noqa: S314 - our own feed
    assert feed.get(XML_LANG) == "en"  # the feed's own words: the reader's interface language
    entries = feed.findall(f"{ATOM}entry")
    assert [e.get(XML_LANG) for e in entries] == ["fr", "en", "fr"]  # newest first
    # An entry's title is the feed's words: in the interface language when the comment is not.
    assert [e.find(f"{ATOM}title").get(XML_LANG) for e in entries] == ["en", None, "en"]

    response = client.get("/comments.atom", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    feed = ET.fromstring(response.data)  # noqa: S314 - our own feed
    assert feed.get(XML_LANG) == "fr"
    assert feed.find(f"{ATOM}title").text == "Commentaires récents · Wiki"
    assert [e.get(XML_LANG) for e in feed.findall(f"{ATOM}entry")] == ["fr", "en", "fr"]
