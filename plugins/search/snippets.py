"""Snippets: the best passages of a hit's text, with the searched words marked.

A snippet is built from escaped text only, never from HTML kept in the index.
"""

from markupsafe import Markup, escape

from .analysis import WORD, fold, stems, words

MAX_CHARS = 240  # one passage at most
SURROUND = 60  # text kept before the first and after the last marked word
PASSAGES = 2
BETWEEN = " … "


class Highlighter:
    """Which words of a text the query looks for: same stem as a searched
    word, a word of a "phrase", or a word starting with a prefix*."""

    def __init__(self, parsed):
        self.stems, self.words, self.prefixes = set(), set(), []
        for clause in parsed.clauses:
            if clause.negate:
                continue
            for term in clause.terms:
                found = [fold(w) for w in words(term.text)]
                if term.kind == "prefix":
                    self.prefixes.append("".join(found))
                elif term.kind == "phrase" or len(found) > 1:
                    self.words.update(found)
                else:
                    self.stems.update(s for w in words(term.text) for s in stems(w))
        self.prefixes = tuple(p for p in self.prefixes if p)

    def matches(self, word):
        word = word.lower()
        if self.stems and not self.stems.isdisjoint(stems(word)):
            return True
        if self.words or self.prefixes:
            folded = fold(word)
            return folded in self.words or folded.startswith(self.prefixes or ("\0",))
        return False

    def snippet(self, text):
        """(snippet, offset of the first marked word) or (None, None)."""
        spans = [m.span() for m in WORD.finditer(text) if self.matches(m.group())]
        if not spans:
            return None, None
        passages = sorted(sorted(_passages(spans), key=lambda p: -len(p))[:PASSAGES])
        pieces = [_mark(text, passage) for passage in passages]
        return Markup(BETWEEN).join(pieces), passages[0][0][0]  # noqa: S704 - a constant


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


def _mark(text, spans):
    start = max(0, spans[0][0] - SURROUND)
    if start:  # begin at a word
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else spans[0][0]
    end = min(len(text), spans[-1][1] + SURROUND)
    if end < len(text):
        space = text.rfind(" ", spans[-1][1], end)
        end = space if space != -1 else spans[-1][1]
    out, at = [], start
    for s, e in spans:
        out.append(escape(text[at:s]))
        out.append(Markup("<mark>%s</mark>") % text[s:e])
        at = e
    out.append(escape(text[at:end]))
    return Markup("").join(out).strip()
