"""Words and stems, the same for indexing, queries and snippets.

One word gives its English stem and, when different, its French stem, so one
field serves both languages: `monitoring` meets "monitored", `carbone` meets
"carbones". A language's stop words get no stem in that language ("son" is
kept for English, "le" for neither). Accents are folded after stemming (the
French stemmer needs them): `evenement` meets "événement".
"""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"\w+")

# Word lists read better as text than as lists of strings.
ENGLISH_STOP = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "  # noqa: SIM905
    "this to us we when will with yet you your".split())

# Snowball's French stop list.
FRENCH_STOP = frozenset(
    "ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez "  # noqa: SIM905
    "aurions aurons auront aux avaient avais avait avec avez aviez avions avons ayant "
    "ayante ayantes ayants ayez ayons c ce ces d dans de des du elle en es est et eu eue "
    "eues eurent eus eusse eussent eusses eussiez eussions eut eux eûmes eût eûtes furent "
    "fus fusse fussent fusses fussiez fussions fut fûmes fût fûtes il j je l la le leur "
    "lui m ma mais me mes moi mon même n ne nos notre nous on ont ou par pas pour qu que "
    "qui s sa se sera serai seraient serais serait seras serez seriez serions serons "
    "seront ses soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi "
    "ton tu un une vos votre vous y à étaient étais était étant étante étantes étants "
    "étiez étions été étée étées étés êtes".split())

# Snowball stemmers keep state while stemming a word: one pair per thread.
# English uses the original Porter algorithm: it gives "organic" the stem
# "organ", as French gives "organique".
_stemmers = threading.local()


def _stem(language, word):
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, stemmer)
    return stemmer.stemWord(word)


def fold(text):
    """Accents removed: "événement" -> "evenement"."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stems(word):
    """The stems of one lower-case word: (), (stem,) or (english, french)."""
    found = []
    if word not in ENGLISH_STOP:
        found.append(fold(_stem("porter", word)))  # English
    if word not in FRENCH_STOP:
        french = fold(_stem("french", word))
        if french not in found:
            found.append(french)
    return tuple(found)


@lru_cache(maxsize=200_000)
def _stem_text(word):
    return " ".join(stems(word))


def words(text):
    return WORD.findall(text.lower())


def stem_text(text):
    """``text`` as a string of stems, the form the stemmed index fields hold."""
    return " ".join(_stem_text(w) for w in words(text))
