"""Comments, and the answers of the file upload, in French for a reader whose
browser asks for French (``Accept-Language``), in English for the others:
the form, counts with their plural forms (French: 0 and 1 singular), errors
that keep the visitor's text, spam and moderation messages, and the words
the scripts say (``data-`` attributes)."""

import re

import pytest
from babel.numbers import format_decimal
from support.documents import pdf_without_pages
from support.uploads import post_file
from test_comments import QUIET, post, posted, textarea, view

from wiki.extensions import db

pytestmark = pytest.mark.usefixtures("app")

FRENCH = "fr-FR,fr;q=0.9,en;q=0.5"


@pytest.fixture
def app(app_factory):
    """Comments, and attachments for the upload's answers."""
    app = app_factory(PLUGINS=["comments", "attachments"], MAX_ATTACHMENT_BYTES=2 * 1024 * 1024,
                      ATTACHMENTS_EXTRACT_IN_BACKGROUND=False, **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Atelier avril 2021", "Programme.\n")


def in_french(client):
    """``client``'s later requests come from a browser set to French."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = FRENCH
    return client


def count_line(html):
    match = re.search(r'<a class="comment-count"[^>]*>([^<]*)</a>', html)
    assert match, "no comment count"
    return match.group(1)


def error_message(html):
    match = re.search(r'<p class="notice warning comment-error" role="alert">(.*?)</p>', html, re.S)
    assert match, "no error message"
    return match.group(1).strip()


# -- the form and the thread ----------------------------------------------------------------------


def test_a_french_reader_sees_the_comment_form_in_french(client, page):
    html = view(in_french(client), page)
    assert '<h2 id="comments-title">Commentaires</h2>' in html
    assert "Aucun commentaire pour l’instant." in html
    assert '<h3 class="comment-form-title">Ajouter un commentaire</h3>' in html
    assert '<label for="comment-name">Votre nom (facultatif)</label>' in html
    assert '<label for="comment-body">Votre commentaire</label>' in html
    assert "laissez-le vide pour publier en tant qu’Anonyme" in html
    assert ">Publier le commentaire</button>" in html
    # What comments.js writes when Reply moves the form: {number} is its to fill in.
    assert 'data-reply-title="Répondre au commentaire {number}"' in html
    assert 'data-post-reply="Publier la réponse"' in html
    for english in ("Add a comment", "Your name", "Post comment", "No comments yet"):
        assert english not in html


def test_an_english_reader_still_sees_english(client, page):
    posted(client, page, "First!", name="Awa")
    html = view(client, page)
    assert '<h3 class="comment-form-title">Add a comment</h3>' in html
    assert "Awa <span" in html and ">(guest)</span>" in html
    assert ">Reply</a>" in html and ">Post comment</button>" in html
    assert "Commentaires" not in html and "Répondre" not in html


def test_a_french_thread_names_guests_replies_and_links_in_french(client, page):
    first = posted(client, page, "Bonjour à tous.", name="Awa")
    posted(client, page, "Merci !", parent=first)
    html = view(in_french(client), page, reply_to=first.id)
    assert ">(invité)</span>" in html and "Anonyme" in html
    assert 'aria-label="Commentaire 1"' in html and 'aria-label="Commentaire 1.1"' in html
    assert ">Répondre</a>" in html
    # Answering comment 1 without JavaScript: the form says so, with a link to it.
    assert re.search(r"Répondre au commentaire <a href=\"[^\"]*#comment-\d+\">1</a>", html)
    assert ">Publier la réponse</button>" in html


@pytest.mark.parametrize(("comments", "french", "english"), [
    (0, "0 commentaire", "0 comments"),
    (1, "1 commentaire", "1 comment"),
    (2, "2 commentaires", "2 comments"),
])
def test_counts_take_the_plural_form_of_each_language(client, page, comments, french, english):
    for n in range(comments):
        posted(client, page, f"Comment {n}")
    assert count_line(view(client, page)) == english
    assert count_line(view(in_french(client), page)) == french


# -- refused comments -----------------------------------------------------------------------------


def test_an_empty_comment_is_refused_in_french_and_the_name_kept(client, page):
    response = post(in_french(client), page, "  \n\t", name="Awa Traoré")
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert error_message(html) == "Écrivez quelque chose avant de publier : le commentaire est vide."
    assert 'value="Awa Traoré"' in html
    assert "<h1>Votre commentaire sur « Atelier avril 2021 »</h1>" in html


def test_a_comment_too_long_is_refused_in_french_with_french_numbers_and_kept(app, client, page):
    app.config["COMMENTS_MAX_CHARS"] = 1000
    text = "Nous sommes tellement intéressés. " * 40
    response = post(in_french(client), page, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 413, html
    length, limit = (format_decimal(n, locale="fr") for n in (len(text.strip()), 1000))
    assert error_message(html) == (f"Le commentaire fait {length} caractères ; la limite est de {limit}. "
                                   "Raccourcissez-le et renvoyez-le.")
    assert textarea(html) == text


@pytest.mark.parametrize(("limit", "french"), [
    ((1, 60), "Vous avez publié 1 commentaire pendant la dernière minute : attendez un peu"),
    ((2, 7200), "Vous avez publié 2 commentaires pendant les 2 dernières heures : attendez un peu"),
    ((3, 30), "Vous avez publié 3 commentaires pendant les 30 dernières secondes : attendez un peu"),
])
def test_the_rate_limit_is_explained_in_french(app, client, page, limit, french):
    app.config["COMMENTS_RATE_LIMIT"] = limit
    in_french(client)
    for n in range(limit[0]):
        assert post(client, page, f"Commentaire {n}").status_code == 303
    response = post(client, page, "Un de trop")
    html = response.get_data(as_text=True)
    assert response.status_code == 429, html
    assert french in error_message(html)
    assert textarea(html) == "Un de trop"


def test_a_spam_trap_refusal_is_in_french(client, page):
    response = post(in_french(client), page, "Achetez !", website="http://spam.example")
    assert response.status_code == 400
    assert error_message(response.get_data(as_text=True)).startswith("Le commentaire n’a pas été publié")


# -- moderation -----------------------------------------------------------------------------------


def test_held_comments_and_the_queue_speak_french(app, client, auth, page):
    app.config["COMMENTS_ANONYMOUS"] = "moderated"
    in_french(client)
    assert "une fois approuvés par un modérateur" in view(client, page)
    response = post(client, page, "Je viens demander comment s'inscrire.", name="Awa")
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Merci ! Votre commentaire attend un modérateur. "
            "Les commentaires anonymes attendent l’approbation d’un modérateur.") in html
    assert "en attente d’approbation" in html  # its author sees it, marked

    auth.login("editor")
    html = view(client, page)
    assert count_line(html) == "0 commentaire"
    assert re.search(r'class="comment-waiting"[^>]*>1 en attente ou masqué</a>', html)
    assert ">Approuver</button>" in html and ">Fermer les commentaires</button>" in html
    queue = client.get("/comments/moderation").get_data(as_text=True)
    assert "<h1>Modération des commentaires</h1>" in queue
    assert "Commentaires anonymes : <strong>moderated</strong>" in queue
    assert re.search(r"Awa <span[^>]*>\(invité\)</span></span> sur <a href=", queue)
    assert ">Approuver</button>" in queue and ">Masquer</button>" in queue


def test_closing_comments_is_confirmed_in_french(client, auth, page):
    auth.login("editor")
    in_french(client)
    response = client.post(f"/comments/page/{page.slug}/closed", data={"closed": "1"})
    assert response.status_code == 303
    html = view(client, page)
    assert "Les commentaires de cette page sont fermés ; la discussion reste lisible." in html
    assert "Les commentaires sont fermés aux lecteurs" in html
    auth.logout()
    assert "Les commentaires sont fermés sur cette page." in view(client, page)


# -- the upload's answers -------------------------------------------------------------------------


def test_a_too_large_upload_is_refused_in_the_readers_language(as_editor, make_page):
    editor = as_editor
    page = make_page("Fichiers")
    huge = b"x" * (4 * 1024 * 1024)
    english = post_file(editor, page.slug, "huge.bin", huge, json=True)
    assert english.status_code == 413
    assert english.get_json()["error"] == "That is more than the 2 MB a file may be: nothing was attached."
    french = post_file(in_french(editor), page.slug, "huge.bin", huge, json=True)
    assert french.status_code == 413
    assert french.get_json() == {
        "error": "Ce fichier dépasse la taille maximale d’un fichier (2 Mo) : rien n’a été joint.",
        "attached": []}


def test_the_upload_section_and_its_script_speak_french(as_editor, make_page):
    editor = as_editor
    page = make_page("Fichiers")
    assert post_file(editor, page.slug, "slides.pdf", pdf_without_pages(), json=True).status_code == 200
    refused = post_file(in_french(editor), page.slug, "vide.txt", b"", json=True)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "« vide.txt » est vide : il n’y a rien à joindre."
    html = view(editor, page)
    assert '<h2 id="attachments-title">Pièces jointes' in html
    assert "Jusqu’à 2 Mo par fichier." in html
    assert 'data-too-large="« {name} » dépasse la taille maximale d’un fichier (2 Mo)."' in html
    assert 'data-uploading="Envoi de {name}…"' in html


def test_comment_text_says_its_language_outside_the_thread_too(client, auth, page):
    """The moderation queue, the delete page and the home page's recent
    comments quote comments: each quote carries the comment's language."""
    page.language = "fr"  # the comment takes its page's language
    db.session.commit()
    comment = posted(client, page, "Bonjour à toute l'équipe d'organisation, je viens demander le lien.")
    auth.login("editor")  # an English reader: the quotes still say French
    client.post(f"/comments/{comment.id}/hide")
    queue = client.get("/comments/moderation").get_data(as_text=True)
    assert '<html lang="en">' in queue and '<div class="comment-body" lang="fr">' in queue
    delete = client.get(f"/comments/{comment.id}/delete").get_data(as_text=True)
    assert '<blockquote class="comment-quote" lang="fr">' in delete
