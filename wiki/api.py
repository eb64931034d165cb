"""The wiki's API for plugins: everything a plugin may use of the core.

A plugin imports the core from here (and, if it likes, the hook markers from
``wiki.hookspecs``), never from other modules of ``wiki``: those may change
at any time; this module changes only as docs/plugins.md says (a name that
goes is kept, deprecated, for one release first). ``python -m
wiki.importrules`` checks the rule: for the built-in plugins in ``make
test``, and for any plugin folder given to it.

    from wiki.api import Page, db, hook, hookimpl, visible_pages

Besides the functions and classes, each documented where it is defined:

- ``hookimpl``, ``hookspec``: pluggy's markers for hook implementations and,
  for hooks a plugin declares itself, hook specs;
- ``db``: Flask-SQLAlchemy's object: ``db.Model`` for a plugin's tables,
  ``db.session`` for queries (the request's session);
- ``ApiTimestamp``: the type of a date and time in an API answer (UTC,
  written with a ``Z``);
- ``ROLES``: the roles, lowest first (``member``, ``editor``, ``admin``);
  ``VISIBILITIES``: what a page's ``visibility`` may be (``public``,
  ``members``).
"""

from .blocks import BlockError, placeholder
from .errors import render_error
from .extensions import db
from .hookspecs import hookimpl, hookspec
from .i18n import interface_language, normal_tag
from .lookup import load_page
from .mail import clean_address, queue_template, unsubscribe_url
from .mail import enabled as mail_enabled
from .mail import wake as wake_mail
from .mail.outbox import external_url
from .models import (
    ROLES,
    VISIBILITIES,
    AnonymousUser,
    Page,
    PageEvent,
    Revision,
    User,
    can_see,
    utcnow,
    visible_pages,
)
from .page_templates import hidden_ids as hidden_page_ids
from .pagecache import fresh, invalidate_views
from .plugins import hook
from .render import clean, finish_html, render_markdown
from .rest.auth import require as api_require
from .rest.pages import get_page as api_page
from .rest.pages import page_ref as api_page_ref
from .rest.pages import page_summaries as api_page_summaries
from .rest.pages import page_summary as api_page_summary
from .rest.pages import person as api_person
from .rest.paging import Paged as ApiPaged
from .rest.paging import paginate as api_paginate
from .rest.paging import paginate_list as api_paginate_list
from .rest.problems import ApiError
from .rest.schemas import Body as ApiBody
from .rest.schemas import Listing as ApiListing
from .rest.schemas import Out as ApiOut
from .rest.schemas import PageQuery as ApiPageQuery
from .rest.schemas import PageRef as ApiPageRef
from .rest.schemas import PageSummary as ApiPageSummary
from .rest.schemas import Person as ApiPerson
from .rest.schemas import Query as ApiQuery
from .rest.schemas import Timestamp as ApiTimestamp
from .sanitize import Allowlist, Sanitizer
from .services import (
    PageError,
    create_page,
    delete_page,
    find_page,
    record_event,
    save_page,
)
from .text import html_text, html_to_text, human_size, slugify
from .throttle import RateLimited, attempt, client_hash, take_slot
from .transfer.links import outside_code
from .transfer.records import CommentRecord, FileVersionRecord
from .wikilinks import linked_page

__all__ = [
    # plugins and hooks
    "hookimpl", "hookspec", "hook",
    # the database and the models a plugin may read (and reference)
    "db", "Page", "Revision", "PageEvent", "User", "AnonymousUser", "ROLES", "VISIBILITIES",
    "utcnow",
    # who may see what; pages left out of listings and search for a reader unless asked for
    "can_see", "visible_pages", "hidden_page_ids",
    # pages
    "find_page", "linked_page", "load_page", "create_page", "save_page", "delete_page",
    "record_event", "PageError",
    # rendering
    "render_markdown", "finish_html", "clean", "Sanitizer", "Allowlist", "placeholder", "BlockError",
    # text
    "html_text", "html_to_text", "human_size", "slugify", "outside_code",
    # languages: a BCP 47 tag checked and in its usual case; the reader's interface language
    "normal_tag", "interface_language",
    # mail: whether it is on, a message in the outbox (in the caller's transaction; wake after the
    # commit), the one-click unsubscribe link, an address checked, an absolute link for a message
    "mail_enabled", "queue_template", "wake_mail", "unsubscribe_url", "clean_address", "external_url",
    # what an import hands to the plugins of comments and files
    "CommentRecord", "FileVersionRecord",
    # the REST API (the ``register_api`` hook, docs/api.md): errors, the shapes of bodies, queries
    # and answers, the page of a request, lists in pages, scope and role checks
    "ApiError", "ApiBody", "ApiOut", "ApiQuery", "ApiPageQuery", "ApiListing", "ApiTimestamp",
    "ApiPerson", "ApiPageRef", "ApiPageSummary", "api_page", "api_page_ref", "api_page_summary",
    "api_page_summaries", "api_person", "ApiPaged", "api_paginate", "api_paginate_list", "api_require",
    # errors, cached views, rate limits
    "render_error", "fresh", "invalidate_views", "client_hash", "attempt", "take_slot", "RateLimited",
]
