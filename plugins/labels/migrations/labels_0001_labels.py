"""labels plugin: which page carries which label, on its own Alembic branch

Revision ID: labels_0001
Revises:
Create Date: 2026-11-21 19:48:24

"""

import sqlalchemy as sa
from alembic import op

revision = "labels_0001"
down_revision = None
branch_labels = ("labels",)
depends_on = "0001_core"  # the page table comes first (foreign key)


def upgrade():
    op.create_table(
        "labels_page_label",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], ondelete="CASCADE",
                                name=op.f("fk_labels_page_label_page_id_page")),
        sa.PrimaryKeyConstraint("page_id", "name", name=op.f("pk_labels_page_label")),
    )
    op.create_index(op.f("ix_labels_page_label_name"), "labels_page_label", ["name"])


def downgrade():
    op.drop_index(op.f("ix_labels_page_label_name"), table_name="labels_page_label")
    op.drop_table("labels_page_label")
