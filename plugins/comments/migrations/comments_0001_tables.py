"""comments plugin: comments, per-page settings, the rate-limit log

Revision ID: comments_0001
Revises:
Create Date: 2026-11-21 19:49:24

"""

import sqlalchemy as sa
from alembic import op

revision = "comments_0001"
down_revision = None
branch_labels = ("comments",)
depends_on = "0001_core"  # foreign keys to page and user


def upgrade():
    op.create_table(
        "comments_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("anon_name", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("edit_token_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"],
                                name=op.f("fk_comments_comment_author_id_user")),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"],
                                name=op.f("fk_comments_comment_page_id_page")),
        sa.ForeignKeyConstraint(["parent_id"], ["comments_comment.id"],
                                name=op.f("fk_comments_comment_parent_id_comments_comment")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments_comment")),
    )
    with op.batch_alter_table("comments_comment") as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_comment_author_id"), ["author_id"])
        batch_op.create_index(batch_op.f("ix_comments_comment_page_id"), ["page_id"])
        batch_op.create_index(batch_op.f("ix_comments_comment_parent_id"), ["parent_id"])
        batch_op.create_index("ix_comments_comment_status_created_at", ["status", "created_at"])

    op.create_table(
        "comments_page_settings",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"],
                                name=op.f("fk_comments_page_settings_page_id_page")),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_comments_page_settings")),
    )

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


def downgrade():
    op.drop_table("comments_post_log")
    op.drop_table("comments_page_settings")
    op.drop_table("comments_comment")  # its indexes go with it
