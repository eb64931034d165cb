"""Ranking "did you mean" candidates, the same for every engine.

An engine lists the indexed words near a misspelt one (as written, accents
folded: the index's exact words) with the number of documents holding each;
``closest`` keeps those at most ``MAX_EDITS`` edits away, the closest and
most common first.
"""

from .analysis import fold

MAX_EDITS = 2
MIN_LENGTH = 3  # shorter words get no suggestion


def searched_form(word):
    """The form of ``word`` the index's exact words are in, or None when it is
    too short to correct."""
    word = fold(word.lower())
    return word if len(word) >= MIN_LENGTH else None


def closest(word, candidates, limit=3):
    """The best ``limit`` of ``candidates`` ((word, document count) pairs)
    for the searched form ``word``."""
    found = []
    for term, count in candidates:
        if term != word and abs(len(term) - len(word)) <= MAX_EDITS:
            distance = edit_distance(word, term, MAX_EDITS)
            if distance <= MAX_EDITS:
                found.append((distance, -count, term))
    return [term for _, _, term in sorted(found)[:limit]]


def edit_distance(a, b, most):
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``most``
    + 1 as soon as it is sure to exceed ``most``."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > most:
            return most + 1
        previous2, previous = previous, current
    return previous[-1]
