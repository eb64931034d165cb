"""Notify: members watch pages (and the pages under them) and are told of
changes and comments, at once or in a daily digest; commenters are told of
replies, visitors without an account too once they confirm an address
(docs/notifications.md).

Only hook implementations live here; the work is in the modules they call.
The comments plugin's hooks are optional: without it, pages are watched all
the same."""

from pathlib import Path

from wiki.api import hookimpl

from . import anonymous, digest, events, slots, unsubscribe, views


@hookimpl
def register_models():
    from . import models  # noqa: F401 - the tables join db.metadata

    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views.bp)


@hookimpl
def template_slot(name, context):
    return slots.render(name, context)


@hookimpl
def page_saving(page, revision):
    events.page_saved(page, revision)  # in the save's transaction: the messages commit with it


@hookimpl
def mail_tick(now):
    digest.tick(now)


@hookimpl
def mail_unsubscribe(address, scope):
    return unsubscribe.unsubscribe(address, scope)


# The comments plugin's hooks (plugins/comments/hookspecs.py).


@hookimpl(optionalhook=True)
def comment_publishing(comment):
    # Posted visible, or shown (a held one approved), in that transaction: a held comment waits.
    events.comment_visible(comment)


@hookimpl(optionalhook=True)
def comment_form_problems(form, user):
    return anonymous.problems(form, user)


@hookimpl(optionalhook=True)
def comment_form_saved(comment, form):
    anonymous.subscribe(comment, form)
