"""The messages: what happened (an ``Event``), told at once or kept for the
digest, and rendered from ``templates/mail/notify_*`` in the recipient's
language, each with the unsubscribe link of what made it come."""

from dataclasses import dataclass, field

from wiki.api import Page, Revision, db, external_url, html_to_text, queue_template, unsubscribe_url

from .models import PendingItem

EXCERPT_LENGTH = 300


@dataclass
class Event:
    """Something a member may be told of: a page saved (``kind`` "page"), a
    comment on a watched page ("comment") or a reply to theirs ("reply")."""

    kind: str
    page: Page
    revision: Revision | None = None
    comment_id: int | None = None
    actor: str = ""  # the author's display name, or the name a guest typed
    guest: bool = False
    excerpt: str = ""
    extra: dict = field(default_factory=dict)

    def item(self, user_id):
        """The row that keeps it for ``user_id``'s digest."""
        return PendingItem(user_id=user_id, kind=self.kind, page_id=self.page.id,
                           revision_id=self.revision.id if self.revision else None,
                           comment_id=self.comment_id, actor=self.actor[:100], guest=self.guest,
                           excerpt=self.excerpt)

    @classmethod
    def of_item(cls, item):
        return cls(kind=item.kind, page=db.session.get(Page, item.page_id),
                   revision=db.session.get(Revision, item.revision_id) if item.revision_id else None,
                   comment_id=item.comment_id, actor=item.actor, guest=item.guest, excerpt=item.excerpt)

    def values(self):
        """What the templates show of it (``mail/_notify_event.*``): links are absolute."""
        page = self.page
        values = {"kind": self.kind, "title": page.title, "actor": self.actor, "guest": self.guest,
                  "excerpt": self.excerpt, "page_url": external_url("pages.view", slug=page.slug)}
        if self.revision is not None:
            number = self.revision.number
            values.update(summary=self.revision.summary, number=number, created=number == 1,
                          diff_url=external_url("pages.diff", slug=page.slug,
                                                **{"from": number - 1, "to": number})
                          if number > 1 else None)
        if self.comment_id is not None:
            values["comment_url"] = external_url("comments.permalink", comment_id=self.comment_id)
        return values


def excerpt(html):
    """The plain text of a comment's (sanitized) HTML, cut at a word."""
    text = html_to_text(html)
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"


def send_event(address, language, scope, event, **extra):
    """Queue the message telling ``address`` of ``event`` (the caller commits)."""
    return queue_template(address, f"notify_{event.kind}", language,
                          unsubscribe=unsubscribe_url(address, scope), event=event.values(), **extra)


def send_digest(address, language, scope, events):
    return queue_template(address, "notify_digest", language, unsubscribe=unsubscribe_url(address, scope),
                          events=[event.values() for event in events])
