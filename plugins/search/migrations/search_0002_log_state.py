"""search plugin: remember how far the change log was pruned

Revision ID: search_0002
Revises: search_0001
Create Date: 2026-11-21 20:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "search_0002"
down_revision = "search_0001"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "search_log_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log_state")),
    )
    op.bulk_insert(table, [{"id": 1, "pruned_through": 0}])


def downgrade():
    op.drop_table("search_log_state")
