"""content version: one number bumped by every content change (wiki.pagecache)

Revision ID: 0003_content_version
Revises: 0002_rate_events
Create Date: 2026-11-21 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0003_content_version'
down_revision = '0002_rate_events'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('content_version')
