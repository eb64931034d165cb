"""What happened, and whom to tell: a page saved (its watchers), a comment
that readers can see (the page's watchers, the author of the comment it
answers, an anonymous author who asked for replies).

Called by the hooks in the transaction of the change, before it commits
(``page_saving``, ``comment_publishing``): the messages and digest items are
committed with the change or not at all, so a crash right after the commit
loses none. A failure here is logged, never shown: it takes back only the
rows it added, and the change the reader made is saved all the same."""

import functools
import logging

from wiki.api import AnonymousUser, User, can_see, db, mail_enabled

from .audience import covering_watches, language_of, mode_for, preference
from .messages import Event, excerpt, send_event
from .models import AnonSubscription, ToldComment

log = logging.getLogger(__name__)


def in_the_change(work):
    """Run ``work`` when mail is on, adding its rows to the change's
    transaction (never committing: the caller does). Its rows stay pending
    until that commit (no autoflush), so that a failure can take them back."""

    @functools.wraps(work)
    def run(*args, **kwargs):
        if not mail_enabled():
            return
        before = {id(row) for row in db.session.new}  # by identity: rows need not be hashable
        try:
            with db.session.no_autoflush:
                work(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a notification failure must not undo the change
            for row in [row for row in db.session.new if id(row) not in before]:
                db.session.expunge(row)
            log.exception("notify: could not queue the notifications (%s)", work.__name__)

    return run


def watching(watch):
    """The unsubscribe scope and the reason a message shows, for a watcher."""
    return f"watch:{watch.id}", {"kind": "watch", "title": watch.page.title, "subtree": watch.subtree}


def tell(user, page, event, scope, reason):
    """Tell ``user`` of ``event`` their way: a message now, a digest item, or nothing."""
    mode = mode_for(user, page)
    if mode == "instant":
        send_event(user.email, language_of(user), scope, event, reason=reason)
    elif mode == "digest":
        db.session.add(event.item(user.id))


@in_the_change
def page_saved(page, revision):
    if page.is_deleted:
        return
    author = revision.author
    event = Event("page", page, revision, actor=author.display_name if author else "")
    for user_id, watch in covering_watches(page).items():
        if user_id != revision.author_id:  # nobody is told of their own edits
            tell(db.session.get(User, user_id), page, event, *watching(watch))


@in_the_change
def comment_visible(comment):
    """``comment`` was posted visible, or shown after moderation: tell once."""
    page = comment.page
    if (comment.status != "visible" or page.is_deleted or getattr(comment, "source_key", None)
            or db.session.get(ToldComment, comment.id) is not None):
        return  # held or hidden, or imported (an admin's bulk act), or told already
    db.session.add(ToldComment(comment_id=comment.id))
    author = comment.author
    facts = {"comment_id": comment.id, "actor": author.display_name if author else comment.anon_name,
             "guest": author is None, "excerpt": excerpt(comment.html)}
    told = {comment.author_id} if comment.author_id is not None else set()
    parent = comment.parent
    if parent is not None and parent.status != "deleted":
        # The answered author first: if they also watch the page, this is the one message they get.
        reply = Event("reply", page, **facts)
        if parent.author_id is not None and parent.author_id not in told:
            told.add(parent.author_id)
            if preference(parent.author_id).replies:
                tell(parent.author, page, reply, f"replies:{parent.author_id}", {"kind": "replies"})
        elif parent.author_id is None and can_see(AnonymousUser(), page):
            for subscription in db.session.scalars(db.select(AnonSubscription).where(
                    AnonSubscription.comment_id == parent.id, AnonSubscription.confirmed_at.is_not(None))):
                send_event(subscription.address, subscription.language, f"anon:{subscription.id}", reply,
                           reason={"kind": "anon"})
    event = Event("comment", page, **facts)
    for user_id, watch in covering_watches(page).items():
        if user_id not in told:
            tell(db.session.get(User, user_id), page, event, *watching(watch))

