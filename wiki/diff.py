"""Readable diffs between two revisions: side by side, or inline."""

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import format_decimal, ngettext

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Row:
    """One line pair. ``kind`` is equal, insert, delete or replace; ``old`` and
    ``new`` are lists of (text, changed) fragments for word highlighting."""

    kind: str
    old_no: int | None
    new_no: int | None
    old: list = field(default_factory=list)
    new: list = field(default_factory=list)


# Past these sizes a readable diff costs too much (SequenceMatcher is
# quadratic): long lines are shown whole, many lines are matched with
# difflib's junk heuristic.
MAX_WORD_DIFF_CHARS = 2000
MAX_EXACT_LINES = 5000


def _word_fragments(a, b):
    if len(a) > MAX_WORD_DIFF_CHARS or len(b) > MAX_WORD_DIFF_CHARS:
        return [(a, True)], [(b, True)]
    wa, wb = _WORDS.findall(a), _WORDS.findall(b)
    old, new = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if i2 > i1:
            old.append(("".join(wa[i1:i2]), tag != "equal"))
        if j2 > j1:
            new.append(("".join(wb[j1:j2]), tag != "equal"))
    return old, new


def diff_rows(old_text, new_text, context=3):
    """Rows for a side-by-side view; unchanged runs longer than ``2 * context``
    are cut to ``context`` lines each side, with a ``skip`` row between."""
    a, b = old_text.splitlines(), new_text.splitlines()
    rows = []
    exact = len(a) + len(b) <= MAX_EXACT_LINES
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=not exact).get_opcodes():
        if tag == "equal":
            run = [Row("equal", i1 + k + 1, j1 + k + 1, [(a[i1 + k], False)], [(b[j1 + k], False)])
                   for k in range(i2 - i1)]
            if context is not None and len(run) > 2 * context + 1:
                head = run[:context] if rows else []
                tail = run[-context:] if i2 < len(a) or j2 < len(b) else []
                skipped = len(run) - len(head) - len(tail)
                label = ngettext("%(count)s unchanged line", "%(count)s unchanged lines", skipped,
                                 count=format_decimal(skipped))
                run = [*head, Row("skip", None, None, [(label, False)]), *tail]
            rows.extend(run)
        elif tag == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                oi, nj = i1 + k, j1 + k
                if oi < i2 and nj < j2:
                    old, new = _word_fragments(a[oi], b[nj])
                    rows.append(Row("replace", oi + 1, nj + 1, old, new))
                elif oi < i2:
                    rows.append(Row("delete", oi + 1, None, [(a[oi], True)]))
                else:
                    rows.append(Row("insert", None, nj + 1, [], [(b[nj], True)]))
        elif tag == "delete":
            rows.extend(Row("delete", i + 1, None, [(a[i], True)]) for i in range(i1, i2))
        else:
            rows.extend(Row("insert", None, j + 1, [], [(b[j], True)]) for j in range(j1, j2))
    return rows


def diff_stats(rows):
    added = sum(1 for r in rows if r.kind in ("insert", "replace"))
    removed = sum(1 for r in rows if r.kind in ("delete", "replace"))
    return added, removed
