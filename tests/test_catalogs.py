"""The interface's catalogs (docs/languages.md): every string the code and
templates mark is in each catalog, translated and not fuzzy; each catalog
reads and compiles; a translation keeps its message's placeholders (one
dropped or renamed breaks at run time) and a plural has all its forms.

``python -m wiki.catalogs update`` brings the catalogs up to date after a
change of strings; ``python -m wiki.catalogs check`` says what this test says.
"""

import io
import re
from collections import Counter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from wiki import catalogs

LANGUAGES = catalogs.languages()

# %(name)s, %(num)d, %s; {name}, {0}, {name!r:>10}. Not "%%" nor "50 % sur".
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif]|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text or ""))


def _forms(message):
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def _ids(message):
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def placeholder_problems(catalog):
    """What a translation of ``catalog`` does with its message's placeholders.
    A translation keeps them all. A plural form may leave out one that only
    some English forms have (``the last hour`` / ``the last %(num)d hours``),
    and none may use one the English lacks (a KeyError when it is shown)."""
    found = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue  # a fuzzy entry is a guess, left out of the .mo: catalogs.problems() says so
        english = [set(placeholders(i)) for i in _ids(message)]
        allowed, needed = set().union(*english), set.intersection(*english)
        for n, form in enumerate(_forms(message)):
            if not form:
                continue  # untranslated: catalogs.problems() says so
            have = set(placeholders(form))
            if not needed <= have <= allowed:
                where = f"form {n}" if len(_forms(message)) > 1 else "translation"
                optional = f" (or also {sorted(allowed - needed)})" if allowed != needed else ""
                found.append(f"{_ids(message)[0]!r}: its {where} has {sorted(have)}, not {sorted(needed)}"
                             + optional)
    return found


def plural_problems(catalog):
    """Plurals translated with fewer (or more) forms than the language has
    (French has three: Babel's ``Plural-Forms``). Untranslated and fuzzy ones
    are catalogs.problems()' to report."""
    found = []
    for message in catalog:
        if message.id and message.pluralizable and not message.fuzzy and any(_forms(message)):
            forms = _forms(message)
            if len(forms) != catalog.num_plurals or not all(forms):
                found.append(f"{message.id[0]!r}: {len(list(filter(None, forms)))} of the "
                             f"{catalog.num_plurals} plural forms of {catalog.locale}")
    return found


def test_languages_the_wiki_ships():
    assert {"en", "fr"} <= set(LANGUAGES)


def test_every_marked_string_is_in_each_catalog_translated_and_not_fuzzy():
    found = catalogs.problems()
    if found:
        report = "\n".join(f"{catalogs.path(language).relative_to(catalogs.ROOT)}: {len(wrong)} problem(s)\n"
                           + "\n".join(f"  {line}" for line in wrong) for language, wrong in found.items())
        pytest.fail("The catalogs do not match the strings of the code (fix: `python -m wiki.catalogs "
                    "update`, then translate):\n" + report, pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_reads_and_compiles(language):
    with catalogs.path(language).open("rb") as f:
        catalog = read_po(f, locale=language, abort_invalid=True)
    assert str(catalog.locale) == language
    assert not catalog.fuzzy, "a fuzzy header is left out of the compiled catalog"
    out = io.BytesIO()
    write_mo(out, catalog)
    assert out.getvalue()


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    found = placeholder_problems(catalogs.read(language))
    if found:
        pytest.fail(f"{catalogs.path(language).relative_to(catalogs.ROOT)}:\n" + "\n".join(found),
                    pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plurals_have_every_form_of_the_language(language):
    found = plural_problems(catalogs.read(language))
    if found:
        pytest.fail(f"{catalogs.path(language).relative_to(catalogs.ROOT)}:\n" + "\n".join(found),
                    pytrace=False)


# --- The checks themselves, on small catalogs ---------------------------------

def _french(*messages):
    catalog = Catalog(locale="fr")
    for message in messages:
        catalog[message.id] = message
    return catalog


def test_a_dropped_renamed_or_retyped_placeholder_is_found():
    catalog = _french(
        Message("Edited by %(name)s", "Modifié par %(nom)s"),
        Message("Signed in as %(name)s.", "Connecté."),
        Message("%(num)d pages", "%(num)s pages"),
        Message("Hello {name}", "Bonjour {nom}"),
        Message("Good: %(name)s at %(time)s", "%(time)s : %(name)s"),
        Message("Fine 50%% off", "50 %% de remise, 50 % sur tout"),
    )
    assert [line.split(":")[0] for line in placeholder_problems(catalog)] == [
        "'Edited by %(name)s'", "'Signed in as %(name)s.'", "'%(num)d pages'", "'Hello {name}'"]


def test_a_plural_needs_each_form_with_its_number():
    catalog = _french(
        Message(("%(num)d comment", "%(num)d comments"), ("%(num)d commentaire", "", "%(num)d commentaires")),
        Message(("%(num)d file", "%(num)d files"), ("un fichier", "%(num)d fichiers", "%(num)d fichiers")),
        Message(("the last hour", "the last %(num)d hours"),
                ("la dernière heure", "les %(num)d dernières heures", "les %(num)d dernières heures")),
        Message(("%(num)d page in %(where)s", "%(num)d pages in %(where)s"),
                ("%(num)d page", "%(num)d pages dans %(where)s", "%(num)d pages dans %(where)s")),
        Message(("%(num)d page", "%(num)d pages"), ("%(num)d page", "%(num)d pages")),
        Message(("%(num)d user", "%(num)d users"), ("", "", "")),
        Message(("%(num)d label", "%(num)d labels"),
                ("%(num)d étiquette", "%(num)d étiquettes", "%(num)d étiquettes")),
    )
    assert [line.split(":")[0] for line in plural_problems(catalog)] == [
        "'%(num)d comment'", "'%(num)d page'"]
    assert [line.split(":")[0] for line in placeholder_problems(catalog)] == [
        "'%(num)d file'", "'%(num)d page in %(where)s'"]
