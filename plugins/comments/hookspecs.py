"""The comments plugin's hooks: events other plugins may listen to, each
called after its change is committed (``comment_publishing``: before, in its
transaction). Implement them with ``@hookimpl(optionalhook=True)``, so your
plugin still loads when the comments plugin is disabled."""

from wiki.api import hookspec


@hookspec
def comment_publishing(comment):
    """Called in the transaction that makes ``comment`` visible to readers (a
    new comment posted visible, or a held or hidden one shown), before it
    commits; the comment is flushed (it has its id). Add the rows that must
    be committed with it or not at all (a notification in the mail outbox);
    never commit. Not called for comments an import writes."""


@hookspec
def comment_posted(comment):
    """A comment was posted (it may be held for moderation: see ``comment.status``)."""


@hookspec
def comment_edited(comment):
    """A comment's text was changed by its author or a moderator."""


@hookspec
def comment_hidden(comment):
    """A moderator hid a comment. (A comment held for moderation when posted
    fires only ``comment_posted``, with ``comment.status == "held"``.)"""


@hookspec
def comment_shown(comment):
    """A hidden or held comment became visible (unhidden or approved)."""


@hookspec
def comment_deleted(comment):
    """A comment was deleted (its replies stay, under "comment deleted")."""


@hookspec
def comment_form_problems(form, user):
    """The comment form was sent by ``user``, before the comment is saved:
    check the fields you added through the ``comment_form`` template slot
    (``form``: the request's form, a MultiDict) and return a list of
    messages, empty when all is well. Any message refuses the post (400, the
    form comes back as typed)."""


@hookspec
def comment_form_saved(comment, form):
    """The comment form posted ``comment`` (committed, after
    ``comment_posted``): apply the fields you added to the form."""
