"""Addresses and header values as mail may carry them: one line, no
control characters, an address of the usual form."""

import re

# What people type: local@domain.tld, no spaces, no quotes, no brackets. Not
# all of RFC 5322, on purpose: an address that needs more is refused.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_address(value):
    """``value`` as stored (trimmed, the domain in lower case... the whole
    address, as accounts compare them), or None when it is not an address."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > 254 or _CONTROL.search(value) or not _ADDRESS.match(value):
        return None
    return value.lower()


def one_line(value, limit=200):
    """A header value of ``value``: line breaks and control characters become
    spaces (a name or a title never adds a header), at most ``limit`` chars."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]
