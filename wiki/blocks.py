"""Dynamic blocks: parts of a page filled in when it is viewed.

A Markdown extension writes a placeholder into the cached HTML; each view
asks the plugins (``render_block`` hook) to fill it for the current reader.
So a list of child pages stays current, and respects visibility, without
re-rendering Markdown.
"""

import html
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .plugins import hook

_PLACEHOLDER = re.compile(r'<(div|span) class="wiki-block"([^>]*)>([^<]*)</\1>')
_ATTR = re.compile(r'(data-block|data-args)="([^"]*)"')


class BlockError(ValueError):
    """Bad block arguments: the message is shown to editors, in place."""


def placeholder(name, args="", inline=False, fallback=""):
    """The HTML a Markdown extension writes for block ``name``: a ``div``, or
    with ``inline`` a ``span`` (a block inside a line of text, e.g. an image).
    ``fallback`` is plain text shown instead when no plugin renders the block
    (its plugin was turned off): a reference to a file shows its words."""
    tag = "span" if inline else "div"
    return (f'<{tag} class="wiki-block" data-block="{escape(name)}" data-args="{escape(args)}">'
            f"{escape(fallback)}</{tag}>")


def fill_blocks(rendered_html, page, user):
    if 'class="wiki-block"' not in rendered_html:
        return rendered_html

    def fill(match):
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(match.group(2))}
        name, args = attrs.get("data-block", ""), attrs.get("data-args", "")
        try:
            out = hook().render_block(name=name, args=args, page=page, user=user)
        except BlockError as e:
            out = _problem(user, _("%(block)s: %(problem)s", block=name, problem=str(e)))
        if out is None:
            fallback = match.group(3)  # escaped text, as sanitized with the page
            unknown = _("Unknown block “%(block)s”.", block=name)
            out = fallback if fallback.strip() else _problem(user, unknown)
        return str(out)

    return _PLACEHOLDER.sub(fill, rendered_html)


def _problem(user, message):
    # Readers see nothing; editors see what to fix.
    if not user.can_edit:
        return ""
    return Markup('<div class="block-error" role="note">{}</div>').format(message)
