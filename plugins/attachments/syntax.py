"""Attachments in Markdown, by name:

    ![Field trip](photo.jpg)         an image attached to this page
    [the slides](slides.pdf)         a link to a file of this page
    [[Other page^report.pdf]]        a file of another page (``|text`` as for wiki links)
    ![[Other page^photo.jpg]]        an image of another page

A target is a file name when it has no scheme, no ``/`` and ends in an
extension (``<field trip.jpg>`` or ``field%20trip.jpg`` for spaces). Each
becomes an inline placeholder, filled when the page is viewed (``blocks.py``):
whether the file exists, its size and who may see it change after the page
is saved.
"""

import json
import re
from urllib.parse import unquote

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from wiki.api import placeholder

BLOCK = "attachment"
_NAME = r"<([^<>\n/\\]+\.[A-Za-z0-9]{1,10})>|([^\s()<>/\\:#?]+\.[A-Za-z0-9]{1,10})"
LOCAL = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*(?:" + _NAME + r')\s*(?:"[^"\n]*")?\s*\)')
OTHER = re.compile(r"(!?)\[\[([^\[\]|^\n]+?)\^([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")


def block_args(page, name, text, image):
    return json.dumps({"page": page, "name": name, "text": text, "image": image}, ensure_ascii=False)


def _stored(md, args, text):
    # With the plugin turned off, the reference shows its words.
    return md.htmlStash.store(placeholder(BLOCK, args, inline=True, fallback=text))


class _Local(InlineProcessor):
    def handleMatch(self, m, data):
        name = unquote(m.group(3) or m.group(4))
        args = block_args("", name, m.group(2), m.group(1) == "!")
        return _stored(self.md, args, m.group(2) or name), m.start(0), m.end(0)


class _Other(InlineProcessor):
    def handleMatch(self, m, data):
        page, name = m.group(2).strip(), m.group(3).strip()
        text = (m.group(4) or name).strip()
        return _stored(self.md, block_args(page, name, text, m.group(1) == "!"), text), m.start(0), m.end(0)


class AttachmentExtension(Extension):
    def extendMarkdown(self, md):
        # Before the core's wiki links (175) and Markdown's images and links
        # (150-170), which would take these first.
        md.inlinePatterns.register(_Other(OTHER.pattern, md), "attachment-other", 178)
        md.inlinePatterns.register(_Local(LOCAL.pattern, md), "attachment-local", 177)
