"""The interface's catalogs: extract the strings meant for users, bring the
catalogs up to date, and say what is missing (docs/languages.md).

    python -m wiki.catalogs update   # after adding or changing strings
    python -m wiki.catalogs check    # what CI checks (tests/test_catalogs.py)

One catalog, ``wiki/translations/<lang>/LC_MESSAGES/messages.po``, holds the
core's strings and the bundled plugins' (``babel.cfg`` says where they are).
English is the language of the source: its catalog repeats each string
(plural forms included), so it is complete as every other catalog must be.
"""

import copy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(__file__).parent / "translations"
SOURCE_LANGUAGE = "en"
# Besides gettext's usual names (_, gettext, ngettext, pgettext...).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}


def extract():
    """Every translatable string of the code and templates, as a Catalog."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="wiki", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def languages():
    return sorted(p.name for p in FOLDER.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file())


def path(language):
    return FOLDER / language / "LC_MESSAGES" / "messages.po"


def read(language):
    with path(language).open("rb") as f:
        return read_po(f, locale=language)


def update(template=None):
    """Add new strings to each catalog, drop the ones no longer used. English
    gets each string as its own translation; other languages get it empty
    (to translate) or, when the English changed a little, fuzzy (to check)."""
    template = template or extract()
    for language in languages():
        catalog = read(language)
        # A copy each: update() puts the template's own messages in the catalog.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=language == SOURCE_LANGUAGE)
        if language == SOURCE_LANGUAGE:
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id if isinstance(message.id, str) else (
                        message.id + ("",) * (catalog.num_plurals - 2))[:catalog.num_plurals]
                message.flags.discard("fuzzy")
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: a fuzzy one is left out of the compiled catalog
        catalog.last_translator = catalog.language_team = f"the wiki's authors ({language})"
        with path(language).open("wb") as f:
            write_po(f, catalog, width=100, sort_output=True, include_lineno=False)


def _translated(message):
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def problems(template=None):
    """``{language: [what is wrong, ...]}``: strings of the code that a
    catalog lacks, no longer uses, leaves untranslated or marks fuzzy."""
    template = template or extract()
    wanted = {m.id if isinstance(m.id, str) else m.id[0]: m for m in template if m.id}
    found = {}
    for language in languages():
        catalog = read(language)
        have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        wrong = [f"missing: {key!r}" for key in sorted(wanted.keys() - have.keys())]
        wrong += [f"not used any more: {key!r}" for key in sorted(have.keys() - wanted.keys())]
        for key in sorted(wanted.keys() & have.keys()):
            message = have[key]
            if message.fuzzy:
                wrong.append(f"fuzzy: {key!r}")
            elif not _translated(message):
                wrong.append(f"untranslated: {key!r}")
            elif isinstance(wanted[key].id, tuple) != isinstance(message.id, tuple):
                wrong.append(f"plural forms differ: {key!r}")
        if wrong:
            found[language] = wrong
    return found


def main(argv):
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        for language, wrong in found.items():
            print(f"{path(language).relative_to(ROOT)}: {len(wrong)} problem(s)")
            for line in wrong:
                print(f"  {line}")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
