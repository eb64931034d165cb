"""The labels plugin's one table: which page carries which label.

A single (page, name) table rather than a Label table plus a join table: a
label exists exactly as long as some page carries it, so there are no orphan
labels to clean up, counts are one GROUP BY, and names are short enough that
repeating them costs nothing.
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import db

MAX_LENGTH = 64


class PageLabel(db.Model):
    __tablename__ = "labels_page_label"

    # The primary key is the unique (page, label) pair; it also serves "labels of a page".
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"),
                                         primary_key=True)
    # Indexed on its own for "pages with this label", counts and prefix suggestions.
    name: Mapped[str] = mapped_column(String(MAX_LENGTH), primary_key=True, index=True)

    def __repr__(self):
        return f"<PageLabel {self.page_id} {self.name}>"
