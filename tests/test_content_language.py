"""The language content is written in, outside the page editor: the
``guess_language`` hook (answered by the search plugin from its English and
French stop words), exports that write each page's ``lang:``, imports that
read it or guess it (Markdown folders and Confluence spaces), the demo's
French page, and backups that keep pages' and comments' languages."""

from collections import Counter
from datetime import datetime
from typing import NamedTuple

import pytest
import sqlalchemy as sa

from plugins.comments import service as comments
from plugins.comments.models import Comment
from wiki import services
from wiki.cli import _CliUser
from wiki.demo import FRENCH, PAGES
from wiki.extensions import db
from wiki.models import AnonymousUser, Page, PageEvent, User
from wiki.plugins import hook
from wiki.transfer.confluence import writer
from wiki.transfer.confluence.model import Page as SourcePage
from wiki.transfer.confluence.model import Space
from wiki.transfer.confluence.model import Version as SourceVersion

# The seed page's thread (../shared/seeds/workshop-page.txt).
SEED_FRENCH = ("Bonjour à toute l'équipe d'organisation.\nJe viens demander comment s'inscrire car je "
               "vois pas de lien. Le sujet est très important dans le cadre de l'amélioration de la "
               "bonne santé du sol à travers l'augmentation et la conservation du carbone organique "
               "du sol. Ce thème, vu son importance doit être un événement pendant la COP26 à Glasgow. "
               "J'aimerais participer activement à l'atelier virtuel et à la cop 26")
SEED_FRENCH_SHORTER = ("Nous sommes tellement intéressés de pouvoir participer à cette noble session du "
                       "fait que notre sol est toujours emporté par les aléas climatiques.")
SEED_ENGLISH = ("Thanks very much for linking us will this wonderful capacity building opportunity. "
                "knowledge is the powerful tool for effective response in Climate change.")
SEED_SHORT = ["Me too. I am getting this error", "Same here in Germany"]
SPANISH = ("El monitoreo del carbono del suelo es muy importante para los proyectos de la comunidad. "
           "Los agricultores y las instituciones trabajan juntos en la región.")
MIXED = ("We met in Ouagadougou for the workshop, and the sessions were held in both languages.\n\n"
         "Nous nous sommes retrouvés à Ouagadougou pour l'atelier, et les sessions étaient bilingues.")
FRENCH_WITH_CODE = ("Voici le script de l'atelier :\n\n```python\nif sample in plot and not sample.dry:\n"
                    "    return the_weight or None\n```\n\nIl est dans le dossier partagé.")


def guess(text):
    return hook().guess_language(text=text)


def page(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def editor():
    return db.session.scalar(db.select(User).where(User.username == "editor"))


def run_import(runner, folder):
    result = runner.invoke(args=["pages", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def write_files(folder, files):
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# -- the guess ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "language"), [
    (SEED_FRENCH, "fr"), (SEED_FRENCH_SHORTER, "fr"), (SEED_ENGLISH, "en"),
    (FRENCH_WITH_CODE, "fr"),  # code and addresses are not prose
    (SEED_SHORT[0], None), (SEED_SHORT[1], None), ("Merci !", None), ("", None),
    (MIXED, None), (SPANISH, None),  # not clearly one of the two: no guess rather than a wrong one
])
def test_the_search_plugin_guesses_english_or_french_only_when_the_words_say_so(app, text, language):
    assert guess(text) == language


def test_without_the_search_plugin_nobody_guesses(app_factory):
    with app_factory(PLUGINS=["comments"]).app_context():
        assert guess(SEED_FRENCH) is None


# -- export ------------------------------------------------------------------------------


def test_an_export_writes_each_pages_language(app, runner, make_page, tmp_path):
    french = make_page("Atelier", "Le programme de l'atelier.\n")
    services.change_settings(french, editor(), language="fr")
    older = make_page("Older", "Made before pages had a language.\n")
    older.language = None  # as the migration leaves pages made before it
    db.session.commit()

    assert runner.invoke(args=["pages", "export", str(tmp_path / "out")]).exit_code == 0
    assert "\nlang: fr\n" in (tmp_path / "out" / "atelier.md").read_text(encoding="utf-8")
    assert "\nlang: en\n" in (tmp_path / "out" / "older.md").read_text(encoding="utf-8")  # the default


# -- import ------------------------------------------------------------------------------


def test_an_import_reads_lang_and_guesses_it_when_missing(app, runner, tmp_path):
    folder = write_files(tmp_path / "notes", {
        "given.md": "---\ntitle: Given\nlang: pt-br\n---\nThe file says which language, not the words.\n",
        "alias.md": "---\ntitle: Alias\nlanguage: fr\n---\nText.\n",
        "seed-comment.md": f"---\ntitle: Inscription\n---\n{SEED_FRENCH}\n",
        "title-helps.md": "---\ntitle: Idées et notes\n---\nDes idées, en français.\n",
        "english.md": f"{SEED_ENGLISH}\n",
        "short.md": "Merci !\n",
    })
    output = run_import(runner, folder)
    assert "6 created" in output and "lang in the front matter" not in output
    languages = {p.slug: p.language for p in db.session.scalars(db.select(Page))}
    assert languages == {"given": "pt-BR", "alias": "fr", "inscription": "fr", "idées-et-notes": "fr",
                         "english": "en", "short": "en"}


def test_a_page_too_short_to_tell_is_in_the_wikis_default_language(app_factory, tmp_path):
    app = app_factory(DEFAULT_LANGUAGE="fr")
    with app.app_context():
        folder = write_files(tmp_path / "notes", {"ok.md": "OK.\n", "english.md": f"{SEED_ENGLISH}\n"})
        run_import(app.test_cli_runner(), folder)
        assert page("ok").language == "fr" and page("english").language == "en"


def test_an_invalid_lang_is_reported_and_the_page_imported_in_the_default_language(app, runner, tmp_path):
    folder = write_files(tmp_path / "notes", {
        "spelled-out.md": f"---\ntitle: Spelled out\nlang: français\n---\n{SEED_FRENCH}\n",
        "norwegian.md": "---\ntitle: Norsk\nlang: no\n---\nYAML reads the tag as false.\n",
        "list.md": "---\ntitle: Two\nlang: [en, fr]\n---\nText.\n",
    })
    output = run_import(runner, folder)
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert ("spelled-out.md: lang in the front matter: “français” is not a language tag (such as en, "
            "fr or pt-BR): the page is in the default language, en") in output
    assert "norwegian.md: lang in the front matter: False (YAML read it as bool: put the tag in quotes)" \
        in output
    assert "list.md: lang in the front matter: ['en', 'fr']" in output
    # Not the guess (French): the file said something, and it was not usable.
    assert {p.language for p in db.session.scalars(db.select(Page))} == {"en"}


def test_importing_again_changes_a_language_only_when_the_file_says_so(app, runner, tmp_path, make_page):
    folder = write_files(tmp_path / "notes", {
        "atelier.md": "---\ntitle: Atelier\nlang: fr\n---\nLe programme.\n",
        "kept.md": "---\ntitle: Kept\n---\nThe text does not change.\n",
    })
    run_import(runner, folder)
    services.change_settings(page("kept"), editor(), language="pt-BR")  # chosen in the wiki

    (folder / "atelier.md").write_text("---\ntitle: Atelier\nlang: fr-BF\n---\nLe programme.\n")
    output = run_import(runner, folder)
    assert "0 created, 1 updated, 1 unchanged" in output
    assert page("atelier").language == "fr-BF" and page("kept").language == "pt-BR"
    assert db.session.scalar(db.select(PageEvent.detail).where(
        PageEvent.page_id == page("atelier").id, PageEvent.kind == "language")) == "fr → fr-BF"

    (folder / "kept.md").write_text("---\ntitle: Kept\nlang: xx_YY!\n---\nThe text does not change.\n")
    output = run_import(runner, folder)
    assert "the page keeps its language, pt-BR" in output and page("kept").language == "pt-BR"


# -- Confluence ---------------------------------------------------------------------------


class _Converted(NamedTuple):
    markdown: str
    placeholders: Counter
    notes: list


def _as_is(text, context):
    return _Converted(text, Counter(), [])


def _space(*pages):
    versions = {title: [SourceVersion(1, lambda text=text: text, None, datetime(2021, 4, 1))]
                for title, text in pages}
    return Space("COP", "Climate-Soil CoP", "storage", pages=[
        SourcePage(str(100 + n), title, None, n, versions=versions[title])
        for n, (title, _) in enumerate(pages)])


def test_a_confluence_import_guesses_each_new_pages_language(app):
    space = _space(("Inscription", SEED_FRENCH), ("Thanks", SEED_ENGLISH), ("Short", "Merci !"))
    writer.import_space(space, _CliUser(), jobs=1, convert=_as_is)
    assert [page(s).language for s in ("inscription", "thanks", "short")] == ["fr", "en", "en"]

    services.change_settings(page("inscription"), _CliUser(), language="fr-BF")
    writer.import_space(space, _CliUser(), jobs=1, convert=_as_is)
    assert page("inscription").language == "fr-BF"  # imported before: its own language stays


# -- demo and backups ----------------------------------------------------------------------


def test_the_demo_marks_its_french_pages_fr(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    languages = {p.title: p.language for p in db.session.scalars(db.select(Page))}
    assert FRENCH and {title for title, language in languages.items() if language == "fr"} == FRENCH
    assert set(languages.values()) == {"en", "fr"}
    for title, _, body in PAGES:  # every mark agrees with what the words say, where they say it
        assert guess(body) in (None, languages[title]), title


def test_a_backup_keeps_the_languages_of_pages_and_comments(app_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "source"))
    source = app_factory()
    with source.app_context():
        atelier = services.create_page("Atelier", "Le programme.\n", _CliUser(), language="fr-BF")
        comments.post_comment(atelier, AnonymousUser(), SEED_ENGLISH)
        db.session.remove()
    archive = tmp_path / "wiki.zip"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0

    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "target"))
    target = app_factory()
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert page("atelier").language == "fr-BF"
        assert db.session.scalars(sa.select(Comment.lang)).all() == ["en"]
