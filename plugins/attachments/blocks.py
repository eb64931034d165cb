"""Filling an attachment placeholder for the reader: an image with its size
(a large one's rendition), a link, or a file shown as missing."""

import json

from flask import url_for
from markupsafe import Markup

from wiki.api import can_see, linked_page

from . import service


def render(args, page, user):
    try:
        ref = json.loads(args)
        name, text, image = str(ref["name"]), str(ref.get("text") or ""), bool(ref.get("image"))
        target = str(ref.get("page") or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return Markup("")
    owner = page if not target else linked_page(target)
    found = None
    if owner is not None and owner.id is not None and can_see(user, owner):
        found = service.find(owner, name)
    if found is None:
        return Markup('<a class="attachment missing" title="Missing file: {}">{}</a>').format(
            name, text or name)
    version = found.current
    url = url_for("attachments.download", slug=owner.slug, name=found.name)
    if image and version.width:
        shown = url_for("attachments.download", slug=owner.slug, name=found.name, rendition=1) \
            if version.rendition_sha256 else url
        width, height = ((version.rendition_width, version.rendition_height) if version.rendition_sha256
                         else (version.width, version.height))
        return Markup('<a class="attachment-image" href="{}"><img src="{}" alt="{}" width="{}" '
                      'height="{}" loading="lazy"></a>').format(url, shown, text, width, height)
    return Markup('<a class="attachment" href="{}">{}</a>').format(url, text or found.name)
