"""The rendering pipeline: Markdown -> HTML -> sanitizer.

Pages are rendered once, when a revision is saved; the result is stored on
the revision. Each thread keeps one ``Markdown`` per app and resets it before
each text (building one costs as much as a fifth of a render); one that
failed is thrown away.
"""

import logging
import threading

import markdown
from flask import current_app
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markupsafe import escape

from .blocks import fill_blocks
from .plugins import hook
from .sanitize import Allowlist, Sanitizer
from .wikilinks import WikiLinkExtension, resolve_links

log = logging.getLogger(__name__)


def core_extensions():
    return [
        "tables",
        "fenced_code",
        "footnotes",
        "sane_lists",
        CodeHiliteExtension(css_class="highlight", guess_lang=False),
        TocExtension(slugify=slugify_unicode, permalink="¶", permalink_title="Link to this section"),
        WikiLinkExtension(),
    ]


def init_app(app):
    """The app's sanitizer: the core's allowlist and what the plugins add to it
    (after the plugins are loaded)."""
    allowlist = Allowlist()
    for extra in app.extensions["wiki.plugins"].hook.sanitizer_allowlist():
        if extra:
            allowlist.extend(**extra)
    app.extensions["wiki.sanitizer"] = Sanitizer(allowlist)


def sanitizer():
    return current_app.extensions["wiki.sanitizer"]


def clean(html, rel="nofollow noopener"):
    """``html`` sanitized with the app's allowlist (the core's and what the
    plugins add); links out get ``rel``."""
    return sanitizer().clean(html, rel=rel)


def _new_markdown():
    extensions = core_extensions()
    for extra in hook().markdown_extensions():
        extensions.extend(extra or ())
    return markdown.Markdown(extensions=extensions, output_format="html")


def render_markdown(text):
    """Markdown text -> sanitized HTML (a plain ``str``, ready to cache).

    Python-Markdown accepts any text, but a plugin's extension may still
    raise: then the source is shown as preformatted text, with a warning,
    instead of an error page.
    """
    local = current_app.extensions.setdefault("wiki.markdown", threading.local())
    try:
        md = getattr(local, "md", None) or _new_markdown()
        local.md = None  # not reused if this text breaks it
        html = md.reset().convert(text)
        local.md = md
    except Exception:
        log.exception("Markdown rendering failed; showing the source instead")
        html = (
            '<p class="render-error">This text could not be rendered; '
            f"its source is shown as is.</p><pre>{escape(text)}</pre>"
        )
    return clean(html)


def finish_html(rendered_html, page, user):
    """Cached HTML -> what ``user`` sees: wiki links resolved, blocks filled.
    View-time work only: no Markdown."""
    return resolve_links(fill_blocks(rendered_html, page, user), user)
