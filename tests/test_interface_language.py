"""The interface language (docs/languages.md): a member's own choice, else
the visitor's from the footer's switcher (a cookie), else the browser's
Accept-Language, else DEFAULT_LANGUAGE; anything odd in those falls back
cleanly. Dates, numbers and plurals follow it; a plugin's own catalog joins
the wiki's."""

import re
import sys
import textwrap
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale

from wiki import i18n
from wiki.extensions import db
from wiki.models import User
from wiki.templating import absolute_time, number, relative_time

HTML_LANG = re.compile(r'<html lang="([^"]*)"')


def lang_of(response):
    """The ``<html lang>`` of a page: the interface language it was written in."""
    assert response.status_code == 200, response.status_code
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, "no <html lang> in the page"
    return match.group(1)


@pytest.fixture
def bilingual(app_factory):
    """An app offering English and French, English by default."""
    return app_factory(LANGUAGES=["en", "fr"], DEFAULT_LANGUAGE="en")


# --- Where the language comes from ----------------------------------------------

def test_without_any_choice_the_default_language_speaks(app_factory):
    app = app_factory(LANGUAGES=["en", "fr"], DEFAULT_LANGUAGE="fr")
    response = app.test_client().get("/")
    assert lang_of(response) == "fr"
    assert "Accueil" in response.get_data(as_text=True)


def test_the_browsers_language_beats_the_default(bilingual):
    client = bilingual.test_client()
    assert lang_of(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})) == "fr"
    assert lang_of(client.get("/", headers={"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "en;q=0.3,fr;q=0.8"})) == "fr"


def test_the_switchers_cookie_beats_the_browser(bilingual):
    client = bilingual.test_client()
    client.set_cookie(i18n.COOKIE, "en")
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"})) == "en"
    client.set_cookie(i18n.COOKIE, "fr")
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_a_members_own_choice_beats_the_cookie_and_the_browser(bilingual, users, auth):
    db.session.get(User, users["member"]).language = "fr"
    db.session.commit()
    auth.login("member")
    auth.client.set_cookie(i18n.COOKIE, "en")
    assert lang_of(auth.client.get("/", headers={"Accept-Language": "en"})) == "fr"
    auth.logout()
    assert lang_of(auth.client.get("/", headers={"Accept-Language": "fr"})) == "en"  # the cookie again


@pytest.mark.parametrize("language", ["tlh", "de", "", "fr-FR-x-" + "a" * 40, "<script>"])
def test_an_unknown_language_in_the_cookie_is_passed_over(bilingual, language):
    client = bilingual.test_client()
    client.set_cookie(i18n.COOKIE, language)
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"})) == "fr"
    assert lang_of(client.get("/")) == "en"


@pytest.mark.parametrize("language", ["tlh", "x" * 35, "FR_fr"])
def test_an_unknown_language_in_the_account_is_passed_over(bilingual, users, auth, language):
    db.session.get(User, users["member"]).language = language
    db.session.commit()
    auth.login("member")
    assert lang_of(auth.client.get("/", headers={"Accept-Language": "fr"})) == "fr"
    assert lang_of(auth.client.get("/")) == "en"


@pytest.mark.parametrize("header", [
    "tlh", "fr;q=abc", ";;;", ",,,", "q=1", "fr;q=", "*;q=0", "fr;q=-1",
    "fran\u00e7ais", "\u00e9;q=0.5", "x" * 5000, "fr;q=0.1," * 600, ("xx-yy;q=0.5, " * 400).strip(),
])
def test_a_malformed_or_unknown_accept_language_falls_back(bilingual, header):
    response = bilingual.test_client().get("/", headers={"Accept-Language": header})
    assert lang_of(response) in ("en", "fr")
    if not re.search(r"\bfr\b", header):
        assert lang_of(response) == "en"


def test_html_lang_is_the_interface_language_on_every_kind_of_page(bilingual, make_page):
    make_page("Bonjour", "Du texte.\n")
    client = bilingual.test_client()
    client.set_cookie(i18n.COOKIE, "fr")
    for path in ("/", "/wiki/bonjour", "/login", "/search?q=texte", "/wiki/bonjour/history"):
        assert lang_of(client.get(path)) == "fr", path
    response = client.get("/wiki/nowhere-to-be-found")
    assert response.status_code == 404
    assert HTML_LANG.search(response.get_data(as_text=True)).group(1) == "fr"


# --- The switcher ---------------------------------------------------------------

def test_the_switcher_keeps_the_choice_in_a_cookie_and_goes_back(bilingual, make_page):
    make_page("Notes", "Text.\n")
    client = bilingual.test_client()
    response = client.post("/language", data={"language": "fr", "next": "/wiki/notes?tab=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/wiki/notes?tab=1"
    cookie = client.get_cookie(i18n.COOKIE)
    assert cookie.value == "fr" and cookie.http_only
    assert lang_of(client.get("/wiki/notes")) == "fr"
    client.post("/language", data={"language": "en", "next": "/"})
    assert lang_of(client.get("/wiki/notes", headers={"Accept-Language": "fr"})) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "evil.example", ""])
def test_the_switcher_never_sends_a_visitor_elsewhere(bilingual, target):
    response = bilingual.test_client().post("/language", data={"language": "fr", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_switcher_saves_a_members_choice_in_their_account(bilingual, users, auth):
    auth.login("member")
    auth.client.post("/language", data={"language": "fr", "next": "/"})
    assert db.session.get(User, users["member"]).language == "fr"
    other = bilingual.test_client()  # another browser, no cookie: the account speaks
    other.post("/login", data={"username": "member", "password": "correct horse battery"})
    assert lang_of(other.get("/", headers={"Accept-Language": "en"})) == "fr"


@pytest.mark.parametrize("language", ["de", "tlh", "", "x" * 100, "fr-FR-x-" + "a" * 40])
def test_the_switcher_refuses_a_language_the_wiki_does_not_offer(bilingual, language):
    client = bilingual.test_client()
    response = client.post("/language", data={"language": language, "next": "/"})
    assert response.status_code == 400
    assert "This wiki does not offer that language." in response.get_data(as_text=True)
    assert client.get_cookie(i18n.COOKIE) is None


def test_the_switcher_needs_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/language", data={"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert client.get_cookie(i18n.COOKIE) is None
    html = client.get("/").get_data(as_text=True)
    assert 'action="/language"' in html and 'name="csrf_token"' in html


# --- Caches ---------------------------------------------------------------------

def test_a_cached_page_view_is_kept_per_language(bilingual, make_page):
    make_page("Shared page", "Text.\n")
    client = bilingual.test_client()
    for _ in range(2):  # the second round comes from the cache
        english = client.get("/wiki/shared-page", headers={"Accept-Language": "en"})
        french = client.get("/wiki/shared-page", headers={"Accept-Language": "fr"})
        assert lang_of(english) == "en" and ">Home</a>" in english.get_data(as_text=True)
        assert lang_of(french) == "fr" and ">Accueil</a>" in french.get_data(as_text=True)


def test_pages_vary_on_what_chooses_their_language(bilingual):
    response = bilingual.test_client().get("/")
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


# --- Dates, numbers, plurals ----------------------------------------------------

NOW = datetime(2026, 12, 3, 14, 5)


@pytest.mark.parametrize(("language", "ago", "expected"), [
    ("en", timedelta(seconds=20), "just now"),
    ("fr", timedelta(seconds=20), "à l’instant"),
    ("en", timedelta(minutes=1), "1 minute ago"),
    ("fr", timedelta(minutes=1), "il y a 1 minute"),
    ("en", timedelta(minutes=3), "3 minutes ago"),
    ("fr", timedelta(minutes=3), "il y a 3 minutes"),
    ("en", timedelta(days=2, hours=3), "2 days ago"),
    ("fr", timedelta(days=2, hours=3), "il y a 2 jours"),
    ("fr", timedelta(days=400), "il y a 1 an"),
])
def test_relative_times_speak_the_interface_language(bilingual, language, ago, expected):
    with bilingual.test_request_context(), force_locale(language):
        assert relative_time(NOW - ago, now=NOW) == expected


def test_absolute_times_speak_the_interface_language(bilingual):
    with bilingual.test_request_context():
        with force_locale("en"):
            english = absolute_time(NOW)
        with force_locale("fr"):
            french = absolute_time(NOW)
    assert english.startswith("Dec 3, 2026") and "2:05" in english and english.endswith("UTC")
    assert french.startswith("3 déc. 2026") and "14:05" in french and french.endswith("UTC")


def test_numbers_speak_the_interface_language(bilingual):
    with bilingual.test_request_context():
        with force_locale("en"):
            assert number(12345) == "12,345"
        with force_locale("fr"):
            assert number(12345) == "12\u202f345"  # a narrow no-break space, as Babel writes it
            assert number(1.5) == "1,5"


# --- Configuration --------------------------------------------------------------

@pytest.mark.parametrize(("settings", "message"), [
    ({"LANGUAGES": ["en", "not a tag"]}, "LANGUAGES must list language tags"),
    ({"LANGUAGES": []}, "LANGUAGES must list language tags"),
    ({"LANGUAGES": ["en", 42]}, "LANGUAGES must list language tags"),
    ({"LANGUAGES": ["en", "fr"], "DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE 'de' is not one of LANGUAGES"),
    ({"LANGUAGES": ["en", "fr"], "DEFAULT_LANGUAGE": None}, "DEFAULT_LANGUAGE None is not one of LANGUAGES"),
])
def test_a_bad_language_setting_is_refused_at_start(app_factory, settings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        app_factory(**settings)


def test_languages_from_the_environment_are_a_comma_separated_list(app_factory, monkeypatch):
    monkeypatch.setenv("WIKI_LANGUAGES", "FR, en")
    monkeypatch.setenv("WIKI_DEFAULT_LANGUAGE", "fr")
    app = app_factory()
    assert app.config["LANGUAGES"] == ["fr", "en"] and app.config["DEFAULT_LANGUAGE"] == "fr"
    assert [code for code, _name in _switcher(app.test_client().get("/"))] == ["fr", "en"]


def _switcher(response):
    html = response.get_data(as_text=True)
    return re.findall(r'<option value="([^"]+)" lang="[^"]+"[^>]*>([^<]+)</option>', html)


def test_the_switcher_names_each_language_in_itself(bilingual):
    assert _switcher(bilingual.test_client().get("/")) == [("en", "English"), ("fr", "Français")]


def test_a_wiki_in_one_language_shows_no_switcher(app_factory):
    app = app_factory(LANGUAGES=["fr"], DEFAULT_LANGUAGE="fr")
    response = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert lang_of(response) == "fr" and _switcher(response) == []


# --- A plugin's own catalog -----------------------------------------------------

PLUGIN = '''
"""A third-party plugin with its own catalog."""

from flask import Blueprint, render_template_string
from flask_babel import gettext as _, ngettext

from wiki.hookspecs import hookimpl

bp = Blueprint("bonjour", __name__)


@bp.route("/bonjour/<int:apples>")
def hello(apples):
    said = ngettext("%(num)d apple", "%(num)d apples", apples)
    return render_template_string(
        "<p>{{ _('Hello from a plugin') }}</p><p>{{ said }}</p><p>{{ _('Home') }}</p><p>{{ flash }}</p>",
        said=said, flash=_("Saved in the plugin."))


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp)
'''

PLUGIN_FRENCH = r'''
msgid ""
msgstr ""
"Language: fr\n"
"Content-Type: text/plain; charset=utf-8\n"
"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"

msgid "Hello from a plugin"
msgstr "Bonjour de la part d’un module"

msgid "Saved in the plugin."
msgstr "Enregistré dans le module."

msgid "%(num)d apple"
msgid_plural "%(num)d apples"
msgstr[0] "%(num)d pomme"
msgstr[1] "%(num)d de pommes"
msgstr[2] "%(num)d pommes"
'''


@pytest.fixture
def plugin_app(app_factory, tmp_path, monkeypatch):
    """An app with the plugin ``wiki_bonjour``. Another app of the same
    process spoke French before it was made (as in a test run, or a server
    with several wikis): each app has its own catalogs all the same."""
    other = app_factory(LANGUAGES=["en", "fr"])
    assert "Accueil" in other.test_client().get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    package = tmp_path / "site" / "wiki_bonjour"
    catalog = package / "translations" / "fr" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (catalog / "messages.po").write_text(PLUGIN_FRENCH, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "wiki_bonjour", raising=False)
    app = app_factory(LANGUAGES=["en", "fr"], EXTRA_PLUGINS=["wiki_bonjour"])
    yield app, catalog
    sys.modules.pop("wiki_bonjour", None)


def test_a_plugins_catalog_is_compiled_at_start_and_joins_the_wikis(plugin_app):
    app, catalog = plugin_app
    assert (catalog / "messages.mo").is_file()
    client = app.test_client()
    french = client.get("/bonjour/3", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Bonjour de la part d’un module" in french and "Enregistré dans le module." in french
    assert "3 pommes" in french
    assert "<p>Accueil</p>" in french  # the wiki's own strings still speak French
    english = client.get("/bonjour/1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hello from a plugin" in english and "1 apple" in english and "<p>Home</p>" in english


@pytest.mark.parametrize(("apples", "french"), [(0, "0 pomme"), (1, "1 pomme"), (2, "2 pommes")])
def test_plurals_follow_the_rules_of_french(plugin_app, apples, french):
    app, _catalog = plugin_app
    response = app.test_client().get(f"/bonjour/{apples}", headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert f"<p>{french}</p>" in html
