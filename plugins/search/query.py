"""The search box language, parsed into a plain structure the index translates.

    soil carbon             both words (all words must match)
    "soil organic carbon"   that exact phrase
    soil OR sol             either word
    -remote                 pages without the word
    monitor*                words starting with "monitor"
    label:soil-carbon  author:name  type:page|comment|file  in:<slug>
    filetype:pdf|docx  updated:>2021-01-01  updated:<2022-01-01  updated:2021-03-01

Every filter has a French name too, whatever the interface language
(``étiquette:``, ``auteur:``, ``type:page|commentaire|fichier``, ``dans:``,
``typefichier:``, ``modifié:``; accents optional), and ``OU`` is ``OR``.

Parsing never fails: a query that does not follow the rules is searched as
well as it can be, with a notice (in the reader's language) saying what was done.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from .analysis import fold, stems, words

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 30
FILTERS = ("label", "author", "type", "filetype", "in", "updated")
# The French name of each filter: an alias whatever the interface language,
# and the name links use for a French reader (docs/search.md).
FRENCH_NAMES = {"label": "étiquette", "author": "auteur", "type": "type", "filetype": "typefichier",
                "in": "dans", "updated": "modifié"}
TYPES = ("page", "comment", "file")
FRENCH_TYPES = {"page": "page", "comment": "commentaire", "file": "fichier"}
# Other names people give a kind of file, for ``filetype:`` (the names are
# the attachments plugin's short ones: pdf, docx, pptx, odt, png, jpeg...).
FILETYPE_ALIASES = {"jpg": "jpeg", "markdown": "md", "text": "txt", "texte": "txt", "htm": "html"}
OR_WORDS = ("OR", "OU")
_FILETYPE = re.compile(r"^[a-z0-9]{1,16}$")

_TOKEN = re.compile(r'\s*(-?)(?:"([^"]*)("?)|(\S+))')
_DATE = re.compile(r"^(>=|<=|>|<)?(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Term:
    kind: str  # word, phrase or prefix
    text: str


@dataclass(frozen=True)
class Match:
    """A searched term as the index holds it: ``stems`` (any of these stems
    of the word, in the stemmed text), ``phrase`` (these words in a row, as
    written, accents folded) or ``prefix`` (these words in a row, the last
    one only a beginning)."""

    kind: str
    tokens: tuple


def analyse(term):
    """The ``Match`` of one searched term, or None (stop words only)."""
    found = tuple(fold(w) for w in words(term.text))
    if not found:
        return None
    if term.kind == "prefix":
        return Match("prefix", found)
    if term.kind == "phrase" or len(found) > 1:  # "soil-carbon" is two words in a row
        return Match("phrase", found)
    found_stems = stems(words(term.text)[0])
    return Match("stems", found_stems) if found_stems else None


@dataclass
class Clause:
    """Alternatives joined by OR; the clause must match (or must not, if negated)."""

    terms: list
    negate: bool = False


@dataclass
class Filter:
    name: str  # label, author, type, filetype, in
    value: str
    negate: bool = False


@dataclass
class ParsedQuery:
    text: str = ""
    clauses: list = field(default_factory=list)
    filters: list = field(default_factory=list)
    updated_after: date | None = None  # inclusive bounds, in days
    updated_before: date | None = None
    notices: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.clauses and not self.filters and not self.updated_after \
            and not self.updated_before

    def matches(self, negate=False):
        """The clauses (``negate``: the excluded ones) as lists of alternative
        ``Match`` es; a clause of stop words only is left out."""
        found = []
        for clause in self.clauses:
            if clause.negate == negate:
                alternatives = [m for m in map(analyse, clause.terms) if m is not None]
                if alternatives:
                    found.append(alternatives)
        return found

    def has_filter(self, name, value):
        """Whether the query already asks for ``name:value`` (not excluded)."""
        value = value.lower() if name != "in" else value
        return any(f.name == name and f.value == value and not f.negate for f in self.filters)

    def with_filter(self, name, value, french=False):
        """The query text narrowed by ``name:value``, unchanged when it has it;
        with ``french``, written with the filter's French name (and type)."""
        if self.has_filter(name, value):
            return self.text
        if french:
            name, value = FRENCH_NAMES[name], FRENCH_TYPES.get(value, value) if name == "type" else value
        return f"{self.text} {name}:{value}".strip()

    def without_filter(self, name, value):
        """The query text without the filter ``name:value``, written with
        any of its names (``étiquette:x`` as well as ``label:x``)."""
        names = "|".join(map(re.escape, written_names(name)))
        values = {value, FRENCH_TYPES.get(value, value), _bare(FRENCH_TYPES.get(value, value))} \
            if name == "type" else {value}
        values = "|".join(map(re.escape, sorted(values)))
        pattern = re.compile(rf'(?<!\S)(?:{names}):["\']?(?:{values})["\']?(?!\S)', re.I)
        return " ".join(pattern.sub(" ", self.text).split())

    def words(self):
        """Plain words searched for (for "did you mean")."""
        return [t.text for c in self.clauses if not c.negate for t in c.terms if t.kind == "word"]


def _bare(text):
    """``text`` in lower case without accents: how filter names are looked up."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


# Each name a filter may be written with (accents folded) -> the filter.
_NAMES = {**{name: name for name in FILTERS}, **{_bare(fr): en for en, fr in FRENCH_NAMES.items()}}
_TYPES = {**{kind: kind for kind in TYPES}, **{_bare(fr): en for en, fr in FRENCH_TYPES.items()}}


def written_names(name):
    """The ways the filter ``name`` may be written: ``["etiquette", "label", "étiquette"]``."""
    return sorted({name, FRENCH_NAMES[name], _bare(FRENCH_NAMES[name])})


def _clean(text):
    # Control characters (and other invisible ones) are dropped, not searched;
    # composed accents, so that "é" typed either way is one letter.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text or "")
    return unicodedata.normalize("NFC", text.replace("(", " ").replace(")", " "))


def parse(text):
    q = ParsedQuery()
    text = _clean(text).strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        q.notices.append(_("The query was cut to its first %(num)d characters.", num=MAX_QUERY_CHARS))
    q.text = text
    pending_or = False
    for match in _TOKEN.finditer(text):
        negate, phrase, closing, bare = match.group(1) == "-", match.group(2), match.group(3), match.group(4)
        if phrase is not None:
            if not closing:
                q.notices.append(_("A quote was not closed: the rest of the query was searched as a phrase."))
            words = phrase.split()
            if not words:
                continue
            term = Term("phrase", " ".join(words)) if len(words) > 1 else Term("word", words[0])
        else:
            if bare in OR_WORDS:
                pending_or = bool(q.clauses) and not q.clauses[-1].negate
                continue
            if ":" in bare and _filter(q, bare, negate):
                pending_or = False
                continue
            term = _bare_term(bare)
            if term is None:
                continue
        if pending_or and not negate:
            q.clauses[-1].terms.append(term)
        elif len(q.clauses) < MAX_CLAUSES:
            q.clauses.append(Clause([term], negate))
        pending_or = False
    if q.clauses and all(c.negate for c in q.clauses) and not q.filters:
        q.notices.append(_("A search needs at least one word to look for, not only words to exclude."))
        q.clauses = []
    return q


def _bare_term(token):
    token = token.strip("-\"'")
    if not token or not any(ch.isalnum() for ch in token):
        return None  # a lone operator or punctuation
    if token.endswith("*") and len(token.rstrip("*")) >= 2:
        return Term("prefix", token.rstrip("*"))
    token = token.rstrip("*")
    return Term("word", token) if token else None


def _filter(q, token, negate):
    """Apply ``name:value`` if it is a known filter; False to search it as words.
    Notices name the filter as it was written (``modifié:``, ``updated:``)."""
    written, _sep, value = token.partition(":")
    written = written.lower()
    name = _NAMES.get(_bare(written))
    if name is None:
        if written:
            q.notices.append(_("There is no filter “%(name)s:”; searched for the words instead.",
                               name=written))
            for word in (written, value):
                term = _bare_term(word)
                if term:
                    q.clauses.append(Clause([term], negate))
        return True
    value = value.strip("\"'")
    if not value:
        example = f"{written}:{_EXAMPLES[name]}"
        q.notices.append(_("“%(name)s:” needs a value, e.g. %(example)s.", name=written, example=example))
        return True
    if name == "updated":
        return _updated(q, written, value)
    if name == "type":
        kinds = [_TYPES[v] for v in map(_bare, value.split("|")) if v in _TYPES]
        if not kinds:
            q.notices.append(_("“%(name)s:” is page, comment or file.", name=written))
            return True
        value = "|".join(dict.fromkeys(kinds))
    if name == "filetype":
        kinds = [FILETYPE_ALIASES.get(v, v) for v in (v.lstrip(".") for v in value.lower().split("|"))]
        kinds = list(dict.fromkeys(k for k in kinds if _FILETYPE.match(k)))
        if not kinds:
            q.notices.append(_("“%(name)s:” is a kind of file, e.g. %(name)s:pdf or %(name)s:pdf|docx.",
                               name=written))
            return True
        value = "|".join(kinds)
    q.filters.append(Filter(name, value.lower() if name != "in" else value, negate))
    return True


# A value for each filter, shown when one is missing (valid under every name).
_EXAMPLES = {"label": "soil-carbon", "author": "alice", "type": "page", "filetype": "pdf",
             "in": "workshop-2021", "updated": ">2021-01-01"}


def _updated(q, written, value):
    match = _DATE.match(value)
    try:
        day = date.fromisoformat(match.group(2)) if match else None
    except ValueError:
        day = None
    if day is None:
        q.notices.append(_("“%(name)s:” takes a date like %(name)s:>2021-01-01.", name=written))
        return True
    op = match.group(1) or "="
    try:
        if op in (">", ">="):
            q.updated_after = day if op == ">=" else date.fromordinal(day.toordinal() + 1)
        elif op in ("<", "<="):
            q.updated_before = day if op == "<=" else date.fromordinal(day.toordinal() - 1)
        else:
            q.updated_after = q.updated_before = day
    except (ValueError, OverflowError):  # a day before 0001-01-01 or after 9999-12-31
        written = f"{written}:{value}"
        q.notices.append(_("“%(filter)s” is outside the calendar; it was left out.", filter=written))
    return True
