"""Macro arguments: ``key=value`` pairs (``key="two words"`` when the value
has spaces), checked against what each macro accepts. Every problem raises
``BlockError`` with a message an editor can act on, in the interface language
(arguments are checked when the page is viewed, for that reader)."""

import re

from flask_babel import gettext as _

from wiki.api import BlockError

_PAIR = re.compile(r'\s*([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S+))\s*')


def parse(text, accepted):
    """``text`` -> {key: value}; ``accepted`` maps each key to a converter
    that returns the value or raises ``BlockError``."""
    values, pos = {}, 0
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if m is None:
            raise BlockError(_("could not read “%(text)s”: write key=value.", text=text[pos:].strip()))
        key = m.group(1).lower()
        if key not in accepted:
            raise BlockError(_unknown(key, accepted))
        if key in values:
            raise BlockError(_("“%(key)s” is given twice.", key=key))
        values[key] = accepted[key](key, m.group(2) if m.group(2) is not None else m.group(3))
        pos = m.end()
    return values


def whole_number(low, high):
    """A converter for integers in [low, high]."""

    def convert(key, value):
        if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
            raise BlockError(_("%(key)s must be a whole number from %(low)d to %(high)d, not “%(value)s”.",
                               key=key, low=low, high=high, value=value))
        return int(value)

    return convert


def _unknown(key, accepted):
    if not accepted:
        return _("unknown argument “%(key)s”; this macro takes no arguments.", key=key)
    return _("unknown argument “%(key)s”; it takes %(names)s.", key=key, names=", ".join(sorted(accepted)))
