"""Accounts and the layout in French: sign-in, registration, the account page
and error pages speak the reader's language; a member keeps their choice of
language in their account, where it wins over the cookie and the browser."""

import pytest
from conftest import PASSWORD, csrf_token

from wiki.extensions import db
from wiki.i18n import COOKIE
from wiki.models import User

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en"}


def html_of(response):
    return response.get_data(as_text=True)


def member(users):
    return db.session.get(User, users["member"])


def signed_in(client, username="member"):
    response = client.post("/login", data={"username": username, "password": PASSWORD}, headers=FRENCH)
    assert response.status_code == 302
    return client


# -- pages in French ---------------------------------------------------------------


def test_a_french_browser_gets_the_sign_in_page_in_french(client, users):
    html = html_of(client.get("/login", headers=FRENCH))
    assert '<html lang="fr">' in html
    assert "<h1>Se connecter</h1>" in html
    assert ">Nom d’utilisateur</label>" in html and ">Mot de passe</label>" in html
    assert "Rester connecté (30 jours)" in html and "Aller au contenu" in html
    assert "Pas encore de compte ?" in html and '<a href="/register">S’inscrire</a>' in html
    assert "Sign in" not in html


def test_an_english_browser_still_gets_english(client, users):
    html = html_of(client.get("/login", headers=ENGLISH))
    assert '<html lang="en">' in html and "<h1>Sign in</h1>" in html and "Se connecter" not in html


def test_registration_in_french_with_its_errors_in_french(client):
    html = html_of(client.get("/register", headers=FRENCH))
    assert '<html lang="fr">' in html and "<h1>Créer un compte</h1>" in html
    assert "Lettres, chiffres, points, tirets ou tirets bas." in html
    refused = client.post("/register", headers=FRENCH, data={
        "username": "noor", "password": "short", "confirm": "other"})
    html = html_of(refused)
    assert refused.status_code == 400
    assert "Un mot de passe doit compter au moins 8 caractères (et au plus 200)." in html
    assert "Les mots de passe sont différents." in html
    welcome = client.post("/register", headers=FRENCH, follow_redirects=True, data={
        "username": "noor", "display_name": "Noor Farah", "password": "long enough pw",
        "confirm": "long enough pw"})
    assert "Bienvenue, Noor Farah ! Vous êtes connecté en tant qu’administrateur du wiki." in html_of(welcome)


def test_a_failed_sign_in_says_so_in_french(client, users):
    response = client.post("/login", headers=FRENCH, data={"username": "member", "password": "nope nope"})
    assert response.status_code == 401
    assert "Nom d’utilisateur inconnu ou mot de passe incorrect." in html_of(response)


def test_signing_in_and_the_layout_in_french(client, users):
    response = client.post("/login", headers=FRENCH, follow_redirects=True,
                           data={"username": "member", "password": PASSWORD})
    html = html_of(response)
    assert "Connecté en tant que Member Person." in html
    assert "<small>(membre)</small>" in html  # the role, as people read it
    assert ">Compte</a>" in html and ">Se déconnecter</a>" in html
    assert "Toutes les pages, de A à Z" in html and '<h2 class="sidebar-title">Pages</h2>' in html


def test_the_account_page_in_french(client, users):
    signed_in(client)
    response = client.get("/account/password", headers=FRENCH)
    html = html_of(response)
    assert response.status_code == 200 and '<html lang="fr">' in html
    assert "<h1>Votre compte</h1>" in html and "Changer votre mot de passe" in html
    assert "Langue de l’interface" in html and "Celle que demande mon navigateur" in html
    assert '<option value="fr" lang="fr">Français</option>' in html


def test_pages_for_members_send_visitors_to_sign_in_in_french(client, users):
    response = client.get("/account/password", headers=FRENCH, follow_redirects=True)
    assert "Veuillez vous connecter pour voir cette page." in html_of(response)


def test_too_many_sign_ins_are_told_in_french_with_the_right_plural(app_factory):
    for window, wait in ((60, "1 minute."), (900, "15 minutes.")):
        client = app_factory(LOGIN_RATE_LIMIT=(1, window)).test_client()
        client.post("/login", headers=FRENCH, data={"username": "nobody", "password": "x" * 9})
        blocked = client.post("/login", headers=FRENCH, data={"username": "nobody", "password": "x" * 9})
        assert blocked.status_code == 429
        assert f"Trop de connexions échouées. Veuillez réessayer dans {wait}" in html_of(blocked)


# -- error pages ----------------------------------------------------------------------


def test_a_missing_page_is_not_found_in_french(client):
    response = client.get("/no/such/address", headers=FRENCH)
    html = html_of(response)
    assert response.status_code == 404 and '<html lang="fr">' in html
    assert "<h1>Page introuvable</h1>" in html and "Il n’y a rien à cette adresse." in html
    assert "<title>Page introuvable ·" in html and "Aller à la page d’accueil" in html


def test_errors_raised_before_any_view_are_in_french(client):
    wrong_method = client.get("/language", headers=FRENCH)  # the router answers: POST only
    html = html_of(wrong_method)
    assert wrong_method.status_code == 405 and '<html lang="fr">' in html
    assert "<h1>Erreur 405</h1>" in html and "Cette adresse n’accepte pas ce type de requête." in html


def test_an_unexpected_error_after_a_failed_statement_is_a_page_in_french(app, client, users):
    def broken():  # a write the database refuses leaves the session to roll back
        db.session.add(User(username="member", display_name="Twin"))
        db.session.flush()

    app.add_url_rule("/broken", view_func=broken)
    response = client.get("/broken", headers=FRENCH)
    html = html_of(response)
    assert response.status_code == 500 and '<html lang="fr">' in html
    assert "Un problème est survenu de notre côté." in html and "Toutes les pages, de A à Z" in html


@pytest.fixture
def csrf_client(app_factory):
    return app_factory(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=2048).test_client()


def test_a_form_without_its_token_is_refused_in_french_with_the_typed_text(csrf_client):
    response = csrf_client.post("/new", headers=FRENCH,
                                data={"title": "Sol", "body": "Mon texte sur le sol."})
    html = html_of(response)
    assert response.status_code == 400 and '<html lang="fr">' in html
    assert "sans son jeton de sécurité : rien n’a été enregistré." in html
    assert "Ce que vous avez saisi" in html and "Mon texte sur le sol." in html
    assert '<label for="typed-2">Texte</label>' in html  # the field, by the name the editor gives it


def test_a_request_too_large_is_refused_in_french(csrf_client):
    response = csrf_client.post("/login", headers=FRENCH, data={"username": "x" * 4096})
    assert response.status_code == 413
    assert "C’est plus que ce que le wiki accepte en une seule requête." in html_of(response)


# -- the account's language -------------------------------------------------------


def choose(client, language, **kwargs):
    return client.post("/account/language", data={"language": language}, **kwargs)


def test_a_member_chooses_the_interface_language_in_their_account(client, users):
    client.post("/login", data={"username": "member", "password": PASSWORD})
    response = choose(client, "fr", headers=ENGLISH)
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert member(users).language == "fr"
    assert f"{COOKIE}=fr" in response.headers["Set-Cookie"]  # this browser keeps it after signing out
    html = html_of(client.get("/account/password", headers=ENGLISH))
    assert '<html lang="fr">' in html and "Langue de l’interface : Français." in html
    assert '<option value="fr" lang="fr" selected>Français</option>' in html


def test_as_my_browser_asks_clears_the_choice(client, users):
    client.post("/login", data={"username": "member", "password": PASSWORD})
    choose(client, "fr")
    response = choose(client, "")
    assert response.status_code == 302 and member(users).language is None
    assert f"{COOKIE}=;" in response.headers["Set-Cookie"]  # the switcher's choice goes too
    assert '<html lang="en">' in html_of(client.get("/", headers=ENGLISH))
    html = html_of(client.get("/account/password", headers=FRENCH))
    assert '<html lang="fr">' in html and '<option value="" selected>' in html


@pytest.mark.parametrize("code", ["xx", "de", "fr-FR-x-" + "a" * 60, "<b>"])
def test_a_language_the_wiki_does_not_offer_is_refused_and_the_form_kept(client, users, code):
    client.post("/login", data={"username": "member", "password": PASSWORD})
    choose(client, "fr")
    response = choose(client, code, headers=FRENCH)
    html = html_of(response)
    assert response.status_code == 400
    assert "Ce wiki n’est pas proposé dans la langue « " in html and "<b>" not in html
    assert 'id="account-language"' in html and "Changer votre mot de passe" in html
    db.session.expire_all()
    assert member(users).language == "fr"  # unchanged


def test_the_account_language_form_needs_its_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from wiki.accounts import create_user

        user = create_user("member", PASSWORD, "member")
        client = app.test_client()
        token = csrf_token(html_of(client.get("/login")))
        client.post("/login", data={"username": "member", "password": PASSWORD, "csrf_token": token})
        refused = choose(client, "fr")
        assert refused.status_code == 400 and "security token" in html_of(refused)
        db.session.expire_all()
        assert db.session.get(User, user.id).language is None
        page = html_of(client.get("/account/password"))
        form = page.split('action="/account/language">', 1)[1]  # the page's second form
        response = client.post("/account/language", data={"language": "fr", "csrf_token": csrf_token(form)})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(User, user.id).language == "fr"


def test_visitors_cannot_choose_an_account_language(client):
    response = choose(client, "fr")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_members_own_choice_wins_over_the_cookie_and_the_browser(client, users):
    client.post("/login", data={"username": "member", "password": PASSWORD})
    choose(client, "fr")
    client.set_cookie(COOKIE, "en")
    assert '<html lang="fr">' in html_of(client.get("/", headers=ENGLISH))
    client.post("/logout")  # signed out: this browser's cookie, then its languages
    assert '<html lang="en">' in html_of(client.get("/", headers=FRENCH))
    client.delete_cookie(COOKIE)
    assert '<html lang="fr">' in html_of(client.get("/", headers=FRENCH))
