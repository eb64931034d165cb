"""A page says which language it is written in (issue 18): chosen in the
editor and in the page's settings, proposed from its parent, checked as a BCP
47 tag, carried by the page's ``lang`` (the article, revisions, diffs, the
preview) while the interface around it keeps the reader's language, and
recorded in the history."""

import re

import pytest

from wiki.extensions import db
from wiki.models import Page, PageEvent

FRENCH = {"Accept-Language": "fr"}


def page_at(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def html_lang(html):
    return re.search(r'<html lang="([^"]*)"', html).group(1)


def article_lang(html):
    return re.search(r'<article lang="([^"]*)"', html).group(1)


def language_field(html):
    """The value the language field shows (the page's, or the one proposed)."""
    field = re.search(r'<input[^>]*name="language"[^>]*>', html)
    assert field, "no language field"
    assert 'list="page-languages"' in field.group(0)
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def text(response):
    return response.get_data(as_text=True)


def new_page(client, **fields):
    data = {"title": "Atelier", "body": "Bonjour à tous.", "visibility": "public", **fields}
    return client.post("/new", data=data)


# -- choosing it --------------------------------------------------------------------


def test_a_new_page_is_created_in_the_language_chosen(as_editor):
    response = new_page(as_editor, language="fr")
    assert response.status_code == 302
    assert page_at("atelier").language == "fr"
    html = text(as_editor.get("/wiki/atelier"))
    assert article_lang(html) == "fr" and html_lang(html) == "en"
    # The title is in the article, so it is read as French too.
    assert re.search(r'<article lang="fr"[^>]*>\s*<header[^>]*>\s*<h1>Atelier</h1>', html)


def test_a_tag_is_stored_in_its_usual_case(as_editor):
    new_page(as_editor, language=" pt-br ")
    assert page_at("atelier").language == "pt-BR"


def test_the_editor_and_the_settings_change_the_language(as_editor, make_page):
    page = make_page("Notes", "Some text.\n")
    assert page.lang == "en"
    form = text(as_editor.get("/wiki/notes/edit"))
    assert language_field(form) == "en"
    # Only the language changes: no new revision, but the change is saved and said.
    response = as_editor.post("/wiki/notes/edit", data={
        "title": "Notes", "body": "Some text.\n", "base_revision": "1", "language": "fr"},
        follow_redirects=True)
    assert response.status_code == 200 and "Language of the page saved: Français." in text(response)
    page = page_at("notes")
    assert page.language == "fr" and page.current_revision.number == 1
    assert language_field(text(as_editor.get("/wiki/notes/settings"))) == "fr"
    response = as_editor.post("/wiki/notes/settings", data={
        "title": "Notes", "slug": "notes", "parent": "", "visibility": "public", "language": "de"})
    assert response.status_code == 302
    assert page_at("notes").language == "de"
    assert article_lang(text(as_editor.get("/wiki/notes"))) == "de"


def test_leaving_the_field_empty_keeps_the_language(as_editor, make_page):
    make_page("Notes")
    as_editor.post("/wiki/notes/settings", data={"title": "Notes", "visibility": "public", "language": "fr"})
    as_editor.post("/wiki/notes/edit", data={"title": "Notes", "body": "New text.", "base_revision": "1",
                                             "language": ""})
    page = page_at("notes")
    assert page.language == "fr" and page.current_revision.body == "New text.\n"


def test_a_child_page_proposes_its_parents_language(as_editor, make_page):
    parent = make_page("Atelier de Ouagadougou")
    as_editor.post(f"/wiki/{parent.slug}/settings", data={"title": parent.title, "visibility": "public",
                                                          "language": "fr"})
    assert language_field(text(as_editor.get(f"/new?parent={parent.slug}"))) == "fr"
    assert language_field(text(as_editor.get("/new"))) == "en"  # the top level: the wiki's default
    # Sent without a language (an older form, a script), the child takes its parent's too.
    as_editor.post("/new", data={"title": "Séance 1", "body": "Ordre du jour", "parent": parent.slug,
                                 "visibility": "public"})
    assert page_at("séance-1").language == "fr"


# -- refusing a bad one -----------------------------------------------------------------


@pytest.mark.parametrize("tag", ["français", "fr_FR", "en us", "en--us", "<b>fr</b>", "x" * 50])
def test_an_invalid_tag_is_refused_and_the_form_keeps_what_was_typed(as_editor, tag):
    response = new_page(as_editor, title="Mon atelier", body="Texte gardé", summary="premier jet",
                        language=tag)
    html = text(response)
    assert response.status_code == 400
    assert "is not a language tag: use a code such as en, fr or pt-BR." in html
    assert re.search(r'class="field-error"[^>]*>[^<]*is not a language tag', html)
    assert 'value="Mon atelier"' in html and "Texte gardé</textarea>" in html
    assert 'value="premier jet"' in html
    assert "<b>fr</b>" not in html  # what was typed comes back escaped
    assert page_at("mon-atelier") is None


def test_an_invalid_tag_is_refused_on_edit_and_in_the_settings(as_editor, make_page):
    make_page("Notes", "Old text.\n")
    response = as_editor.post("/wiki/notes/edit", data={
        "title": "Notes", "body": "New text, kept.", "base_revision": "1", "language": "english!"})
    assert response.status_code == 400
    assert "is not a language tag" in text(response) and "New text, kept.</textarea>" in text(response)
    response = as_editor.post("/wiki/notes/settings", data={
        "title": "Better notes", "visibility": "public", "language": "english!"})
    assert response.status_code == 400
    assert "is not a language tag" in text(response) and 'value="Better notes"' in text(response)
    page = page_at("notes")
    assert page.language == "en" and page.title == "Notes" and page.current_revision.number == 1


# -- showing it ---------------------------------------------------------------------------


def test_the_page_language_shows_in_the_meta_only_when_it_differs(as_editor, make_page):
    make_page("Notes")
    new_page(as_editor, language="fr")
    english = text(as_editor.get("/wiki/notes"))
    assert "page-language" not in english
    french = text(as_editor.get("/wiki/atelier"))
    meta = french.split('class="page-meta"')[1].split("</p>")[0]
    assert '<span class="page-language" title="Language of the page" lang="fr">Français</span>' in meta


def test_the_interface_around_a_page_speaks_the_readers_language(as_editor, make_page):
    make_page("Notes")
    html = text(as_editor.get("/wiki/notes", headers=FRENCH))
    assert html_lang(html) == "fr" and article_lang(html) == "en"
    # Inside the English article, the page's actions say they are French.
    assert '<nav class="page-actions" aria-label="Actions sur la page" lang="fr">' in html
    assert ">Modifier</a>" in html and ">Historique</a>" in html
    # The English page's language is named in French beside the French interface.
    assert 'lang="en">English</span>' in html
    # An English reader gets the same page in English, not a French copy from the cache.
    html = text(as_editor.get("/wiki/notes"))
    assert html_lang(html) == "en" and ">Edit</a>" in html and ">Modifier</a>" not in html


def test_revisions_diffs_and_the_preview_carry_the_page_language(as_editor, make_page):
    new_page(as_editor, language="fr")
    as_editor.post("/wiki/atelier/edit", data={"title": "Atelier", "body": "Bonsoir à tous.",
                                               "base_revision": "1"})
    assert article_lang(text(as_editor.get("/wiki/atelier/revisions/1"))) == "fr"
    diff = text(as_editor.get("/wiki/atelier/diff?from=1&to=2"))
    assert html_lang(diff) == "en" and '<tbody lang="fr">' in diff
    assert '<tbody lang="fr">' in text(as_editor.get("/wiki/atelier/diff?from=1&to=2&mode=inline"))
    editor = text(as_editor.get("/wiki/atelier/edit"))
    assert re.search(r'id="preview" lang="fr"', editor)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>', editor).group(0)
    assert 'lang="fr"' in body  # spelling checked in the page's language
    # A preview of a language being typed (no JavaScript) shows in that language.
    preview = text(as_editor.post("/wiki/atelier/edit", data={
        "title": "Atelier", "body": "Hola a todos.", "base_revision": "2", "language": "es", "preview": "1"}))
    assert re.search(r'id="preview" lang="es"', preview) and "Hola a todos." in preview
    assert page_at("atelier").language == "fr"  # a preview saves nothing


# -- the history -------------------------------------------------------------------------------


def test_the_history_shows_the_change_of_language(as_editor, make_page):
    make_page("Notes")
    as_editor.post("/wiki/notes/settings", data={"title": "Notes", "visibility": "public", "language": "fr"})
    event = db.session.scalar(db.select(PageEvent).where(PageEvent.kind == "language"))
    assert event.detail == "en → fr"  # stored as tags; named for each reader
    english = text(as_editor.get("/wiki/notes/history"))
    assert re.search(r'data-kind="language">language changed</span>\s*— English → French', english)
    assert re.search(r'data-kind="created">page created</span>', english)
    french = text(as_editor.get("/wiki/notes/history", headers=FRENCH))
    assert re.search(r'data-kind="language">langue changée</span>\s*— Anglais → Français', french)
    assert re.search(r'data-kind="created">page créée</span>', french)
    assert "Historique de « Notes »" in french


def test_the_history_names_what_the_wiki_wrote_in_the_readers_language(as_editor, make_page):
    top = make_page("Workshop")
    make_page("Notes")
    as_editor.post("/wiki/notes/settings", data={"title": "Notes", "parent": "workshop",
                                                 "visibility": "members"})
    french = text(as_editor.get("/wiki/notes/history", headers=FRENCH))
    assert "premier niveau → Workshop" in french  # "top level → Workshop"
    assert "réservée aux membres connectés désormais" in french  # "now members"
    english = text(as_editor.get("/wiki/notes/history"))
    assert "top level → Workshop" in english and "now for signed-in members only" in english
    assert top.title in english
    home = text(as_editor.get("/", headers=FRENCH))
    assert re.search(r"page déplacée par <span class=\"user\">Editor Person</span>", home)
