"""Macro arguments: ``key=value`` pairs (``key="two words"`` when the value
has spaces), checked against what each macro accepts. Every problem raises
``BlockError`` with a message an editor can act on."""

import re

from wiki.api import BlockError

_PAIR = re.compile(r'\s*([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S+))\s*')


def parse(text, accepted):
    """``text`` -> {key: value}; ``accepted`` maps each key to a converter
    that returns the value or raises ``BlockError``."""
    values, pos = {}, 0
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if m is None:
            raise BlockError(f"could not read “{text[pos:].strip()}”: write key=value.")
        key = m.group(1).lower()
        if key not in accepted:
            raise BlockError(f"unknown argument “{key}”{_takes(accepted)}")
        if key in values:
            raise BlockError(f"“{key}” is given twice.")
        values[key] = accepted[key](key, m.group(2) if m.group(2) is not None else m.group(3))
        pos = m.end()
    return values


def whole_number(low, high):
    """A converter for integers in [low, high]."""

    def convert(key, value):
        if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
            raise BlockError(f"{key} must be a whole number from {low} to {high}, not “{value}”.")
        return int(value)

    return convert


def _takes(accepted):
    if not accepted:
        return "; this macro takes no arguments."
    return f"; it takes {', '.join(sorted(accepted))}."
