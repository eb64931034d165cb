"""Which language a text is written in, English or French, from the stop
words search already knows (``analysis.py``): the core's ``guess_language``
hook, asked for a new comment's language and an imported page's.

A count, not a model: it answers only when the words say it clearly, and
None otherwise (too short, mixed, another language), so that the caller
keeps the language it knows (the page's, the wiki's default). Spanish,
Italian and Portuguese share short words with French ("de", "la", "en",
"que"): a few frequent words of theirs (and of German and Dutch) that
neither language uses count against both, so that a Spanish text is not
taken for French.
"""

import re

from wiki.api import hookimpl

from .analysis import ENGLISH_STOP, FRENCH_STOP, words

MIN_WORDS = 3  # stop words of the winning language, at least ...
MAJORITY = 2  # ... and this many times as many as the other language's
READ_CHARS = 20_000  # the start of a long text is enough to tell

# Words both lists hold ("on", "as") say nothing. Neither do most one-letter
# words: "s", "t", "d", "m" are what apostrophes leave of English ("it's",
# "don't") and French ("s'inscrire") alike; French elisions are counted from
# the text itself instead (a word starting with "l'", "d'", "qu'"...).
_ENGLISH = frozenset(w for w in ENGLISH_STOP - FRENCH_STOP if len(w) > 1 or w == "a")
_FRENCH = frozenset(w for w in FRENCH_STOP - ENGLISH_STOP if len(w) > 1 or w in ("à", "y"))
# Frequent words of neighbouring languages, never English or French words.
_OTHER = frozenset("el los las del con por para una di della che nel gli "  # noqa: SIM905
                   "da em os não uma der die das und ist nicht het een van".split())
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu)['’](?=\w)", re.IGNORECASE)
# Not prose: code ("if x in y and not z") and addresses ("/fr/le-monde").
_NOT_PROSE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1|`[^`\n]+`|\w+://\S+",
                        re.MULTILINE | re.DOTALL)


def guess(text):
    """``"en"`` or ``"fr"`` when ``text`` clearly is; None when it does not say."""
    if not isinstance(text, str):
        return None
    text = _NOT_PROSE.sub(" ", text[:READ_CHARS])
    english = french = other = 0
    for word in words(text):
        if word in _ENGLISH:
            english += 1
        elif word in _FRENCH:
            french += 1
        elif word in _OTHER:
            other += 1
    french += len(_ELISION.findall(text))
    if english >= MIN_WORDS and english >= MAJORITY * max(french, other):
        return "en"
    if french >= MIN_WORDS and french >= MAJORITY * max(english, other):
        return "fr"
    return None


@hookimpl
def guess_language(text):
    return guess(text)
