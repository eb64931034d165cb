"""A page's thread as one reader sees it: numbered, nested, filtered.

Numbers follow posting order (comment id) among siblings: 1, 2, 3 at the top,
6.1, 6.2 under 6, 6.1.1 below that. They are computed over *every* comment of
the page, held, hidden and deleted ones included, so a number never changes
once given. A comment the reader may not read leaves a gap in the numbers,
or, when it has replies the reader can see, a placeholder line ("comment
deleted") that keeps them attached.

Replies nest up to ``MAX_DEPTH`` levels; deeper ones are listed at that level,
after the comment they descend from, with their full number and an "in reply
to" link.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from wiki.api import db

from .access import may_read
from .models import Comment

MAX_DEPTH = 4


@dataclass
class Entry:
    comment: Comment
    number: str
    depth: int  # 1 at the top level
    readable: bool  # False: shown as a placeholder line
    parent_number: str | None = None
    replies: list["Entry"] = field(default_factory=list)

    @property
    def flattened(self):
        """Listed at ``MAX_DEPTH`` although deeper: shows "in reply to"."""
        return self.depth > MAX_DEPTH


def page_comments(page):
    return db.session.scalars(
        db.select(Comment).where(Comment.page_id == page.id)
        .options(selectinload(Comment.author)).order_by(Comment.id)
    ).all()


def _children(comments):
    children = defaultdict(list)
    for comment in sorted(comments, key=lambda c: c.id):  # siblings in posting order
        children[comment.parent_id].append(comment)
    return children


def _thread_order(children):
    """Every comment with its number, parents before their replies. A loop,
    not recursion: a chain of replies may be deeper than Python's stack."""
    order, stack = [], [(c, str(n)) for n, c in enumerate(children[None], start=1)][::-1]
    while stack:
        comment, number = stack.pop()
        order.append((comment, number))
        replies = [(c, f"{number}.{n}") for n, c in enumerate(children[comment.id], start=1)]
        stack.extend(replies[::-1])
    return order


def numbering(comments):
    """``{comment id: "6.1"}`` for every comment of a page, whatever its status."""
    return {comment.id: number for comment, number in _thread_order(_children(comments))}


def build(comments, user):
    """The top-level entries of the thread ``user`` sees, replies inside."""
    children = _children(comments)
    order = _thread_order(children)
    readable = {c.id: may_read(user, c) for c, _ in order}
    shown = {}
    for comment, _ in reversed(order):  # replies first: a placeholder needs a shown reply
        shown[comment.id] = readable[comment.id] or any(shown[r.id] for r in children[comment.id])

    roots, numbers = [], {}
    into = {None: roots}  # comment id -> the list its shown replies go into
    for comment, number in order:
        numbers[comment.id] = number
        if not shown[comment.id]:
            continue  # nor are its replies
        depth = number.count(".") + 1
        entry = Entry(comment, number, depth, readable[comment.id], numbers.get(comment.parent_id))
        siblings = into[comment.parent_id]
        siblings.append(entry)
        # Past MAX_DEPTH, replies follow in the same list instead of nesting.
        into[comment.id] = entry.replies if depth < MAX_DEPTH else siblings
    return roots
