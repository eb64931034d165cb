"""Hits as readers see them: the best passages of the text and the title,
with the searched words marked, and the folded section a match is in.

Shared by every engine: an engine hands over what it stored for a document
(``Document.shown()``). A snippet is built from escaped text only, never
from HTML kept in the index.
"""

import re
from datetime import datetime

from markupsafe import Markup, escape

from .analysis import WORD, fold, stems
from .engine import Hit

MAX_CHARS = 240  # one passage at most
SURROUND = 60  # text kept before the first and after the last marked word
PASSAGES = 2
BETWEEN = " … "
# How far past the first marked word the passages are looked for: a long
# file's text (a 500-page PDF) is not read to its end for every hit.
SCAN_CHARS = 50_000
LONG_TEXT = 20_000  # from this length, a text's words are checked once each
# The parts of a compound word of a title: "field_trip", "FieldTrip2021".
_NOT_WORD = re.compile(r"\W")
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[^\W\d_A-Z]+|\d+")


class Highlighter:
    """Which words of a text the query looks for: same stem as a searched
    word, a word of a "phrase", or a word starting with a prefix*."""

    def __init__(self, parsed):
        self.stems, self.words, prefixes = set(), set(), []
        for alternatives in parsed.matches():
            for match in alternatives:
                if match.kind == "stems":
                    self.stems.update(match.tokens)
                elif match.kind == "phrase":
                    self.words.update(match.tokens)
                else:  # prefix: the words before the last one are whole words
                    self.words.update(match.tokens[:-1])
                    prefixes.append(match.tokens[-1])
        self.prefixes = tuple(prefixes)
        self._known = {}  # word -> whether it matches: a text repeats its words
        self._expressions = {}  # marked words -> the expression that finds them
        self._checked, self._marked = set(), set()  # words of long texts

    def matches(self, word):
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = self._matches(word.lower())
        return found

    def _matches(self, word):
        if self.stems and not self.stems.isdisjoint(stems(word)):
            return True
        if self.words or self.prefixes:
            folded = fold(word)
            return folded in self.words or folded.startswith(self.prefixes or ("\0",))
        return False

    def title(self, text):
        """``text`` escaped, with the searched words marked (or the parts of
        a compound word that match: a file named "field_trip.pdf" is found
        by "trip")."""
        spans = []
        for m in WORD.finditer(text):
            if self.matches(m.group()):
                spans.append(m.span())
            else:
                spans.extend((m.start() + p.start(), m.start() + p.end())
                             for p in _PART.finditer(m.group()) if p.end() - p.start() < len(m.group())
                             and self.matches(p.group()))
        return _mark(text, spans, 0, len(text)) if spans else escape(text)

    def snippet(self, text):
        """(snippet, offset of the first marked word) or (None, None)."""
        spans = self._spans(text)
        if not spans:
            return None, None
        passages = sorted(sorted(_passages(spans), key=lambda p: -len(p))[:PASSAGES])
        pieces = [_mark(text, passage, *_bounds(text, passage)) for passage in passages]
        return Markup(BETWEEN).join(pieces), passages[0][0][0]  # noqa: S704 - a constant

    def _spans(self, text):
        """Where the marked words of ``text`` are, up to ``SCAN_CHARS`` past the first."""
        if len(text) <= LONG_TEXT:
            spans = []
            for m in WORD.finditer(text):
                if spans and m.start() > spans[0][0] + SCAN_CHARS:
                    break
                if self.matches(m.group()):
                    spans.append(m.span())
            return spans
        # A long text (a file's) is read a window at a time, until the
        # passages are found: in each, every distinct word is checked once,
        # then the marked ones are found by one expression, in C.
        spans, start = [], 0
        while start < len(text) and not (spans and start > spans[0][0] + SCAN_CHARS):
            end = _word_end(text, start + LONG_TEXT)
            window = set(WORD.findall(text, start, end))
            new = window - self._checked
            if new:
                self._checked |= new
                self._marked.update(w for w in new if self.matches(w))
            marked = tuple(sorted(window & self._marked))
            if marked:
                for m in self._expression(marked).finditer(text, start, end):
                    if spans and m.start() > spans[0][0] + SCAN_CHARS:
                        break
                    spans.append(m.span())
            start = end
        return spans

    def _expression(self, marked):
        found = self._expressions.get(marked)
        if found is None:
            words = sorted(marked, key=len, reverse=True)
            found = self._expressions[marked] = re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\b")
        return found


def _word_end(text, at):
    """The first offset from ``at`` that is not inside a word (a window ends there)."""
    found = _NOT_WORD.search(text, at)
    return found.start() if found else len(text)


def make_hit(doc_id, kind, shown, highlighter):
    """The ``Hit`` of a found document, from what its engine stored."""
    body = shown.get("body") or ""
    snippet, start = highlighter.snippet(body)
    if snippet is None:  # matched in the title or labels only: the text as it begins
        snippet = escape(_beginning(body))
    section = None
    if start is not None:
        for anchor, title, s, e in shown.get("sections") or ():
            if s <= start < e:
                section = {"anchor": anchor, "title": title}  # innermost wins: listed last
    return Hit(
        id=doc_id, type=kind, page_id=shown["page_id"], comment_id=shown.get("comment_id") or None,
        slug=shown["slug"], title=highlighter.title(shown.get("title") or ""),
        page_title=shown.get("page_title") or "", breadcrumb=shown.get("breadcrumb") or [],
        labels=shown.get("labels") or [], updated=datetime.fromisoformat(shown["updated"]),
        snippet=snippet, section=section, author_name=shown.get("author_name"),
        file_name=shown.get("file_name"), filetype=shown.get("filetype") or "",
    )


def _beginning(text):
    """The first ``MAX_CHARS`` of ``text``, cut at a word."""
    if len(text) <= MAX_CHARS:
        return text
    space = text.rfind(" ", 0, MAX_CHARS)
    return text[:space if space > 0 else MAX_CHARS].rstrip() + "…"


def _passages(spans):
    """Runs of marked words that fit in one passage."""
    run = [spans[0]]
    for span in spans[1:]:
        if span[1] - run[0][0] + 2 * SURROUND > MAX_CHARS:
            yield run
            run = [span]
        else:
            run.append(span)
    yield run


def _bounds(text, spans):
    """Where the passage around ``spans`` begins and ends, at words."""
    start = max(0, spans[0][0] - SURROUND)
    if start:
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else spans[0][0]
    end = min(len(text), spans[-1][1] + SURROUND)
    if end < len(text):
        space = text.rfind(" ", spans[-1][1], end)
        end = space if space != -1 else spans[-1][1]
    return start, end


def _mark(text, spans, start, end):
    out, at = [], start
    for s, e in spans:
        out.append(escape(text[at:s]))
        out.append(Markup("<mark>%s</mark>") % text[s:e])
        at = e
    out.append(escape(text[at:end]))
    return Markup("").join(out).strip()
