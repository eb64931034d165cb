"""recorder plugin: a table of its own, on its own Alembic branch

Revision ID: recorder_0001
Revises:
Create Date: 2026-11-21 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "recorder_0001"
down_revision = None
branch_labels = ("recorder",)
depends_on = "0001_core"  # the core tables exist first (e.g. for foreign keys)


def upgrade():
    op.create_table(
        "recorder_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("page_id", sa.Integer(), sa.ForeignKey("page.id"), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade():
    op.drop_table("recorder_note")
