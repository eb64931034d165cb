"""attachments plugin: files of pages, their versions, and blob chunks for the database store

Revision ID: attachments_0001
Revises:
Create Date: 2026-12-02 21:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "attachments_0001"
down_revision = None
branch_labels = ("attachments",)
depends_on = "0001_core"  # foreign keys to page and user


def upgrade():
    op.create_table(
        "attachments_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"],
                                name=op.f("fk_attachments_attachment_page_id_page")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments_attachment")),
        sa.UniqueConstraint("page_id", "name", name=op.f("uq_attachments_attachment_page_id")),
    )
    op.create_index(op.f("ix_attachments_attachment_page_id"), "attachments_attachment", ["page_id"])
    op.create_index(op.f("ix_attachments_attachment_deleted_at"), "attachments_attachment", ["deleted_at"])
    op.create_table(
        "attachments_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("rendition_sha256", sa.String(length=64), nullable=True),
        sa.Column("rendition_width", sa.Integer(), nullable=True),
        sa.Column("rendition_height", sa.Integer(), nullable=True),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("extract_status", sa.String(length=16), nullable=False),
        sa.Column("extract_started", sa.DateTime(), nullable=True),
        sa.Column("extract_error", sa.String(length=500), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("pages", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments_attachment.id"],
                                name=op.f("fk_attachments_version_attachment_id_attachments_attachment")),
        sa.ForeignKeyConstraint(["uploader_id"], ["user.id"],
                                name=op.f("fk_attachments_version_uploader_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments_version")),
        sa.UniqueConstraint("attachment_id", "number", name=op.f("uq_attachments_version_attachment_id")),
    )
    op.create_index(op.f("ix_attachments_version_attachment_id"), "attachments_version", ["attachment_id"])
    op.create_index(op.f("ix_attachments_version_sha256"), "attachments_version", ["sha256"])
    op.create_index("ix_attachments_version_extract_status", "attachments_version", ["extract_status"])
    op.create_table(
        "attachments_blob_chunk",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "number", name=op.f("pk_attachments_blob_chunk")),
    )


def downgrade():
    op.drop_table("attachments_blob_chunk")
    op.drop_table("attachments_version")
    op.drop_table("attachments_attachment")
