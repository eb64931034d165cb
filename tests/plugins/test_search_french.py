"""Search in French: the French names of the filters (accents optional, in any
interface language) find what the English ones find, and a French reader reads
the results page, its counts, "did you mean" and its notices in French."""

import re
from datetime import datetime
from html import unescape

import pytest
from support.documents import pdf_without_pages, png
from support.uploads import post_file

from plugins.search.engine import Results
from plugins.search.query import FILTERS, FRENCH_NAMES, parse
from plugins.search.service import Search
from wiki.extensions import db
from wiki.models import Page, User

QUIET = {"COMMENTS_MIN_SECONDS": 0, "COMMENTS_RATE_LIMIT": [1000, 60], "SEARCH_BUILD_WAIT": 30,
         "ATTACHMENTS_EXTRACT_IN_BACKGROUND": False}
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def app(app_factory):
    app = app_factory(**QUIET)
    with app.app_context():
        yield app
        db.session.remove()


def sync(app):
    app.extensions["wiki.search"].indexer.catch_up()


def get(client, q, headers=FRENCH, **params):
    """(status, html) of /search?q=... as a reader of ``headers``' language."""
    response = client.get("/search", query_string={"q": q, **params}, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def found(client, q, headers=FRENCH):
    """The sorted hit links of a query (the search must answer 200)."""
    status, html = get(client, q, headers)
    assert status == 200, status
    return sorted(re.findall(r'class="hit-title" href="([^"]+)"', html))


@pytest.fixture
def wiki(app, client, auth, make_page, users):
    """Pages in a tree, a label, a member's comment, two files, one page last
    changed in 2020: each filter keeps some of the "soil" documents, not all."""
    from plugins.comments.service import post_comment

    workshop = make_page("Workshop 2021", "Soil workshop.")
    session = make_page("Session one", "Soil session.", parent=workshop)
    elsewhere = make_page("Elsewhere", "Soil elsewhere.")
    make_page("Compost", "Compost and mulch.")
    post_comment(session, db.session.get(User, users["member"]), "A soil question from a member.")
    auth.login("editor")
    assert client.post("/wiki/elsewhere/labels", data={"label": "soil-carbon"}).status_code == 302
    for slug, name, data in (("workshop-2021", "soil-report.pdf", pdf_without_pages()),
                             ("elsewhere", "soil-map.png", png())):
        assert post_file(client, slug, name, data).status_code == 303
    auth.logout()
    db.session.get(Page, elsewhere.id).updated_at = datetime(2020, 6, 1)
    db.session.commit()
    sync(app)
    return found(client, "soil")


ALIASES = [
    ("soil label:soil-carbon", ["soil étiquette:soil-carbon", "soil etiquette:soil-carbon",
                                "soil ÉTIQUETTE:soil-carbon"]),
    ("soil -label:soil-carbon", ["soil -étiquette:soil-carbon"]),
    ("soil author:member", ["soil auteur:member"]),
    ("soil type:comment", ["soil type:commentaire"]),
    ("soil type:file", ["soil type:fichier"]),
    ("soil type:page|comment", ["soil type:page|commentaire", "soil type:Page|Commentaire"]),
    ("soil filetype:png", ["soil typefichier:png"]),
    ("soil in:workshop-2021", ["soil dans:workshop-2021"]),
    ("soil -in:workshop-2021", ["soil -dans:workshop-2021"]),
    ("soil updated:<2021-01-01", ["soil modifié:<2021-01-01", "soil modifie:<2021-01-01",
                                  "soil MODIFIÉ:<2021-01-01"]),
    ("session OR elsewhere", ["session OU elsewhere"]),
]


@pytest.mark.parametrize(("english", "french"), ALIASES)
def test_each_french_filter_finds_what_the_english_one_finds(client, wiki, english, french):
    expected = found(client, english, ENGLISH)
    # The filter narrows the search (so the comparison means something)...
    assert expected and len(expected) < len(wiki)
    for query in french:
        # ...and its French name, with or without accents, finds the same,
        # whatever the language of the interface.
        assert found(client, query, FRENCH) == expected, query
        assert found(client, query, ENGLISH) == expected, query


def test_french_names_parse_to_the_english_filters():
    """Every filter has a French name (a new filter without one fails here)."""
    french = parse("étiquette:a auteur:b type:fichier typefichier:pdf dans:c modifié:2021-03-01 x")
    english = parse("label:a author:b type:file filetype:pdf in:c updated:2021-03-01 x")
    assert french.filters == english.filters and french.notices == english.notices == []
    assert (french.updated_after, french.updated_before) == (english.updated_after, english.updated_before)
    assert {f.name for f in english.filters} | {"updated"} == set(FILTERS) == set(FRENCH_NAMES)


def test_a_french_reader_reads_counts_hits_and_facets_in_french(client, wiki):
    status, html = get(client, "soil")
    assert status == 200 and '<html lang="fr"' in html
    assert re.search(rf'id="results-title">{len(wiki)} résultats<', html)
    assert "Commentaire sur « Session one »" in html and "Member Person a commenté" in html
    assert re.search(r'<a href="[^"]+">commentaires</a> <span class="count">1<', html)
    assert "Comment chercher" in html and "<code>étiquette:carbone-du-sol</code>" in html
    assert 'placeholder="Rechercher dans le wiki"' in html
    # A label of a hit narrows the search with the filter's French name...
    assert 'href="/search?q=soil+%C3%A9tiquette:soil-carbon"' in html
    # ...and the facet of a filter written in French removes it.
    _, html = get(client, "soil étiquette:soil-carbon")
    assert re.search(r'aria-current="true">soil-carbon</span> <span class="count">1</span> '
                     r'<a class="facet-remove" href="/search\?q=soil" aria-label="Retirer le filtre', html)
    _, html = get(client, "mulch")
    assert 'id="results-title">1 résultat<' in html  # the singular


def test_a_french_reader_gets_did_you_mean_and_nothing_found_in_french(client, wiki):
    _, html = get(client, "compots")
    assert re.search(r'Vouliez-vous dire <a href="/search\?q=compost">compost</a> \?', html)
    assert 'id="results-title">0 résultat<' in html  # French: zero takes the singular
    _, html = get(client, "zzyzx")
    assert "Aucun résultat. Essayez avec moins de mots" in html and "Vouliez-vous dire" not in html
    # The same pages speak English to an English reader.
    _, html = get(client, "compots", ENGLISH)
    assert "Did you mean" in html and "0 results" in html


def test_large_counts_and_paging_are_localised(client, monkeypatch):
    def many(text, user, page=1):
        return Search(parse(text), results=Results(total=12345, page=2, pages=1235))

    monkeypatch.setattr("plugins.search.views.search", many)
    _, html = get(client, "soil", page=2)
    assert re.search(r"12\s345 résultats", html) and re.search(r"Page 2 sur 1\s235", html)
    assert ">Précédente</a>" in html and ">Suivante</a>" in html
    _, html = get(client, "soil", ENGLISH, page=2)
    assert "12,345 results" in html and "Page 2 of 1,235" in html


@pytest.mark.parametrize(("query", "french", "english"), [
    ("soil modifié:hier", "« modifié: » prend une date comme modifié:>2021-01-01.",
     "“modifié:” takes a date like modifié:>2021-01-01."),
    ("soil type:chose", "« type: » vaut page, commentaire ou fichier.", "“type:” is page, comment or file."),
    ("soil typefichier:", "« typefichier: » demande une valeur, par exemple typefichier:pdf.",
     "“typefichier:” needs a value, e.g. typefichier:pdf."),
    ("soil couleur:rouge", "Il n’y a pas de filtre « couleur: »", "There is no filter “couleur:”"),
    ("soil dans:nulle-part", "Il n’y a pas de page « nulle-part » où chercher.",
     "There is no page “nulle-part” to search in."),
    ("soil modifié:>9999-12-31", "« modifié:>9999-12-31 » est hors du calendrier",
     "“modifié:>9999-12-31” is outside the calendar"),
    ('"soil', "Un guillemet n’a pas été fermé", "A quote was not closed"),
])
def test_a_broken_query_is_explained_in_the_readers_language(client, wiki, query, french, english):
    status, html = get(client, query)
    assert status == 200 and french in unescape(html)
    status, html = get(client, query, ENGLISH)
    assert status == 200 and english in unescape(html)


def test_a_french_reader_with_a_cookie_and_no_header(client, wiki):
    client.set_cookie("wiki_language", "fr")
    response = client.get("/search", query_string={"q": "soil type:commentaire"})
    assert response.status_code == 200 and 'id="results-title">1 résultat<' in response.text
