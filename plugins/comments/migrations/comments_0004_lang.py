"""comments plugin: the language a comment is written in

A BCP 47 tag (``fr``), set when a comment is posted, edited or imported: the
language its words say, else its page's. Nullable: comments posted before
have none, and are shown in their page's language.

Revision ID: comments_0004
Revises: comments_0003
Create Date: 2026-12-04 09:00:00

Plain ALTER TABLE, not batch mode: on SQLite a batch copies the table, which
the foreign keys of replies forbid once there are comments (see the core's
0006).
"""

import sqlalchemy as sa
from alembic import op

revision = "comments_0004"
down_revision = "comments_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comments_comment", sa.Column("lang", sa.String(length=35), nullable=True))


def downgrade():
    op.drop_column("comments_comment", "lang")
