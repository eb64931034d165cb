"""comments plugin: the key of a comment brought by an import

An import (a Confluence space) gives each comment it brings a key stable
across imports ("confluence:COP:123456"): importing again finds the comment
by it, rather than adding it twice. Comments posted on the wiki have none.

Revision ID: comments_0003
Revises: comments_0002
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "comments_0003"
down_revision = "comments_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments_comment") as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_comments_comment_source_key"), ["source_key"])


def downgrade():
    with op.batch_alter_table("comments_comment") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_comments_comment_source_key"), type_="unique")
        batch_op.drop_column("source_key")
