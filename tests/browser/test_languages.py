"""A visitor whose browser asks for French gets the interface in French (home,
a page and its comments, the editor, search, sign-in, a missing page), can
switch it to English from the footer, and the choice sticks; axe finds no
serious problem on the French pages, their language attributes included."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, TIMEOUT_MS
from .seed import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKSHOP = "/wiki/soil-carbon-monitoring-workshop-2026"
# axe's rules on language attributes: any violation of these fails, whatever its impact.
LANGUAGE_RULES = ["html-has-lang", "html-lang-valid", "valid-lang", "html-xml-lang-mismatch"]


def _watched(browsing, page):
    """``page`` with the checks of every browser page (console errors fail the
    test, artefacts on failure): Browsing.new_page() takes no locale."""
    number = len(browsing.pages) + 1
    page.on("console", lambda message: browsing._console(number, message))
    page.on("pageerror", lambda error: browsing.problems.append((number, f"JavaScript error: {error}")))
    browsing.pages.append(page)
    return page


@pytest.fixture
def french(browsing):
    """A new browser context whose browser asks for French (Accept-Language: fr-FR)."""
    def open_page():
        context = browsing.browser.new_context(base_url=browsing.base_url, viewport=DESKTOP, locale="fr-FR")
        context.set_default_timeout(TIMEOUT_MS)
        return _watched(browsing, context.new_page())
    return open_page


@pytest.fixture
def language_attributes(axe_source):
    """axe's violations of LANGUAGE_RULES on the page as it is now (any impact)."""
    def check(page):
        page.evaluate(axe_source)
        result = page.evaluate("""async (rules) => {
            const result = await axe.run(document, {runOnly: {type: "rule", values: rules},
                                                    resultTypes: ["violations", "passes"]});
            return {violations: result.violations.map(v => `${v.id}: ${v.help}`),
                    passes: result.passes.map(p => p.id)};
        }""", LANGUAGE_RULES)
        assert "html-has-lang" in result["passes"], result  # the rules ran on this page
        return result["violations"]
    return check


def _sign_in_in_french(page, username):
    page.goto("/login")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter").or_(
        page.get_by_role("link", name="Se déconnecter"))).to_be_visible()


def _is_french(page, check_accessibility, language_attributes):
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert language_attributes(page) == []
    assert check_accessibility(page) == []


def test_home_in_french(french, check_accessibility, language_attributes):
    page = french()
    page.goto("/")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("button", name="Rechercher", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_attached()
    _is_french(page, check_accessibility, language_attributes)


def test_a_page_and_its_comments_in_french(french, check_accessibility, language_attributes):
    page = french()
    page.goto(WORKSHOP)
    expect(page.get_by_role("link", name="Historique")).to_be_visible()
    expect(page.get_by_role("heading", name="Commentaires")).to_be_visible()
    expect(page.get_by_role("heading", name="Ajouter un commentaire")).to_be_visible()
    expect(page.get_by_role("link", name="Répondre").first).to_be_visible()
    _is_french(page, check_accessibility, language_attributes)


def test_the_editor_in_french(french, check_accessibility, language_attributes):
    page = french()
    _sign_in_in_french(page, "edith")
    page.goto(WORKSHOP)
    page.locator(".page-actions").get_by_role("link", name="Modifier", exact=True).click()
    expect(page.get_by_label("Titre", exact=True)).to_have_value("Soil Carbon Monitoring Workshop 2026")
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Aperçu", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Annuler")).to_be_visible()
    _is_french(page, check_accessibility, language_attributes)


def test_search_results_in_french(french, check_accessibility, language_attributes):
    page = french()
    page.goto("/")
    page.get_by_role("searchbox").fill("carbone")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("résultat")
    expect(page.get_by_role("main").get_by_role("link", name="Soil Carbon Monitoring Workshop 2026").first
           ).to_be_visible()
    _is_french(page, check_accessibility, language_attributes)


def test_sign_in_in_french(french, check_accessibility, language_attributes):
    page = french()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(page.get_by_label("Nom d’utilisateur")).to_be_visible()
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_visible()
    _is_french(page, check_accessibility, language_attributes)


def test_a_missing_page_in_french(browsing, french, check_accessibility, language_attributes):
    browsing.allow_console(r"status of 404")
    page = french()
    response = page.goto("/wiki/cette-page-n-existe-pas")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page).to_have_title(re.compile("^Page introuvable"))
    _is_french(page, check_accessibility, language_attributes)


def test_the_footer_switches_to_english_and_the_choice_sticks(browsing, french):
    page = french()
    page.goto(WORKSHOP)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Langue").select_option("en")
    footer.get_by_role("button", name="Changer").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(WORKSHOP) + "$"))  # back where the visitor was
    expect(page.get_by_role("link", name="History")).to_be_visible()
    expect(page.get_by_role("contentinfo").get_by_label("Language")).to_have_value("en")

    page.goto("/")  # another page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    tab = _watched(browsing, page.context.new_page())
    tab.goto("/login")  # a new tab of the same browser, although it still asks for French
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()

    # And back to French, from the new tab
    tab.get_by_role("contentinfo").get_by_label("Language").select_option("fr")
    tab.get_by_role("contentinfo").get_by_role("button", name="Change").click()
    expect(tab.locator("html")).to_have_attribute("lang", "fr")
    page.goto(WORKSHOP)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Historique")).to_be_visible()
