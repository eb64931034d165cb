"""YAML front matter: the ``---`` block at the top of a Markdown file.

Parsed with ``yaml.safe_load`` only: a file never builds Python objects.
"""

import yaml

_OPEN = "---"
_CLOSE = ("---", "...")


class FrontMatterError(ValueError):
    """Front matter that cannot be used, with the line of the file at fault."""


def split(text):
    """``(metadata, body)`` of ``text`` (LF newlines); ``({}, text)`` without front matter."""
    lines = text.split("\n")
    if lines[0].rstrip() != _OPEN:
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSE), None)
    if end is None:
        raise FrontMatterError("front matter has no closing --- line")
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1: the opening ---, +1: 1-based
        problem = getattr(e, "problem", None) or "not valid YAML"
        raise FrontMatterError(f"broken front matter at line {line}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a list of `key: value` lines")
    return data, "\n".join(lines[end + 1:])


def join(metadata, body):
    """A file's text: front matter (one line per key, Unicode as is), then ``body``."""
    block = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False, width=10_000)
    return f"{_OPEN}\n{block}{_OPEN}\n{body}"
