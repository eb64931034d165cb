"""notify plugin: watches, preferences, digest items and claims, anonymous
reply subscriptions, on its own Alembic branch

Revision ID: notify_0001
Revises:
Create Date: 2026-12-04 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0001"
down_revision = None
branch_labels = ("notify",)
depends_on = "0001_core"  # the user, page and revision tables come first (foreign keys)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "notify_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("subtree", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("notify_watch", "user_id", "user"),
        _fk("notify_watch", "page_id", "page"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_watch")),
        sa.UniqueConstraint("user_id", "page_id", name=op.f("uq_notify_watch_user_id")),
    )
    op.create_index(op.f("ix_notify_watch_user_id"), "notify_watch", ["user_id"])
    op.create_index(op.f("ix_notify_watch_page_id"), "notify_watch", ["page_id"])
    op.create_table(
        "notify_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("replies", sa.Boolean(), nullable=False),
        _fk("notify_preference", "user_id", "user"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notify_preference")),
    )
    op.create_table(
        "notify_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("guest", sa.Boolean(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("notify_pending", "user_id", "user"),
        _fk("notify_pending", "page_id", "page"),
        _fk("notify_pending", "revision_id", "revision"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_pending")),
    )
    op.create_index(op.f("ix_notify_pending_user_id"), "notify_pending", ["user_id"])
    op.create_index(op.f("ix_notify_pending_created_at"), "notify_pending", ["created_at"])
    op.create_table(
        "notify_digest_claim",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _fk("notify_digest_claim", "user_id", "user"),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_notify_digest_claim")),
    )
    op.create_table(
        "notify_told_comment",
        sa.Column("comment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_notify_told_comment")),
    )
    op.create_table(
        "notify_anon_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        _fk("notify_anon_subscription", "page_id", "page"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_anon_subscription")),
    )
    op.create_index(op.f("ix_notify_anon_subscription_comment_id"), "notify_anon_subscription",
                    ["comment_id"])


def downgrade():
    op.drop_index(op.f("ix_notify_anon_subscription_comment_id"), table_name="notify_anon_subscription")
    op.drop_table("notify_anon_subscription")
    op.drop_table("notify_told_comment")
    op.drop_table("notify_digest_claim")
    op.drop_index(op.f("ix_notify_pending_created_at"), table_name="notify_pending")
    op.drop_index(op.f("ix_notify_pending_user_id"), table_name="notify_pending")
    op.drop_table("notify_pending")
    op.drop_table("notify_preference")
    op.drop_index(op.f("ix_notify_watch_page_id"), table_name="notify_watch")
    op.drop_index(op.f("ix_notify_watch_user_id"), table_name="notify_watch")
    op.drop_table("notify_watch")

