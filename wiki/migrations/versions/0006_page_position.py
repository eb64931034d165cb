"""page position: a page's place among its siblings (Confluence's child order)

Revision ID: 0006_page_position
Revises: 0005_confluence_import
Create Date: 2026-12-04 20:00:00

Every page keeps sorting by title (no position). The index that lists a
parent's children in sibling order takes the place of the one on parent_id
alone: it starts with parent_id, so it serves every look-up by parent too.
Pages imported from Confluence before get their position when the space is
imported again.

Plain ALTER TABLE statements, not batch mode: on SQLite a batch copies the
page table, which the foreign keys of its revisions forbid once there are
pages (SQLite drops a column itself since 3.35).
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_page_position'
down_revision = '0005_confluence_import'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('page', sa.Column('position', sa.Integer(), nullable=True))
    op.create_index('ix_page_sibling_order', 'page', ['parent_id', 'position', 'title_key', 'id'])
    op.drop_index(op.f('ix_page_parent_id'), table_name='page')


def downgrade():
    op.create_index(op.f('ix_page_parent_id'), 'page', ['parent_id'])
    op.drop_index('ix_page_sibling_order', table_name='page')
    op.drop_column('page', 'position')
