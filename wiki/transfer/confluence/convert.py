"""Calling a converter on one text of the export (a page's version, a
comment): a text that cannot be read, or that the converter cannot handle,
becomes the reason that text is left out (``Skip``), never a failed import."""

from .model import MissingData


class Skip(Exception):
    """A page, a version or a comment left out: ``str(e)`` says why."""


def convert_text(convert, read, context):
    """``convert(read(), context)``: the ``Converted`` text, or ``Skip``."""
    try:
        return convert(read(), context)
    except MissingData as e:
        raise Skip(str(e)) from None
    except Exception as e:  # a text the converter cannot handle: that text only
        raise Skip(f"cannot be converted ({type(e).__name__}: {e})") from None
