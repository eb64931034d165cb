"""comments plugin: the rate limit counts in the core's rate_event table

The comments' own log of accepted posts goes: wiki.throttle counts them now
(bucket "comment"). Its rows lived for the rate-limit window only (a minute
by default), so they are dropped rather than moved: an address's count
starts afresh at the upgrade.

Revision ID: comments_0002
Revises: comments_0001
Create Date: 2026-12-02 19:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "comments_0002"
down_revision = "comments_0001"
branch_labels = None
depends_on = "0002_rate_events"  # the table that counts posts from now on


def upgrade():
    op.drop_table("comments_post_log")


def downgrade():
    op.create_table(
        "comments_post_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_post_log")),
    )
    with op.batch_alter_table("comments_post_log") as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_post_log_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_comments_post_log_ip_hash"), ["ip_hash"])
