"""languages: an account's interface language, a page's content language

Revision ID: 0007_languages
Revises: 0006_page_position
Create Date: 2026-12-04 00:30:00

Both nullable: an account that never chose follows its browser, and a page
made before pages had a language is in the wiki's DEFAULT_LANGUAGE. Plain
ALTER TABLE, not batch mode (see 0006).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_languages'
down_revision = '0006_page_position'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('language', sa.String(length=35), nullable=True))
    op.add_column('page', sa.Column('language', sa.String(length=35), nullable=True))


def downgrade():
    op.drop_column('page', 'language')
    op.drop_column('user', 'language')
