"""search plugin: the change log that feeds the search indexes

Revision ID: search_0001
Revises:
Create Date: 2026-11-21 20:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "search_0001"
down_revision = None
branch_labels = ("search",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "search_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_change")),
    )
    op.create_index(op.f("ix_search_change_created_at"), "search_change", ["created_at"])


def downgrade():
    op.drop_index(op.f("ix_search_change_created_at"), table_name="search_change")
    op.drop_table("search_change")
