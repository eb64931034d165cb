"""page title key: titles compared as links compare them, since addresses no longer follow titles

Revision ID: 0004_page_title_key
Revises: 0003_content_version
Create Date: 2026-12-02 20:00:00

Existing pages keep their addresses; each gets the key of its title.
"""
import sqlalchemy as sa
from alembic import op

from wiki.text import title_key

revision = '0004_page_title_key'
down_revision = '0003_content_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('page') as batch_op:
        batch_op.add_column(sa.Column('title_key', sa.String(length=200), nullable=False,
                                      server_default=''))
    page = sa.table('page', sa.column('id', sa.Integer), sa.column('title', sa.String),
                    sa.column('title_key', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(page.c.id, page.c.title)).all()
    for start in range(0, len(rows), 500):
        conn.execute(page.update().where(page.c.id == sa.bindparam('page_id'))
                     .values(title_key=sa.bindparam('key')),
                     [{'page_id': r.id, 'key': title_key(r.title)} for r in rows[start:start + 500]])
    with op.batch_alter_table('page') as batch_op:
        batch_op.create_index(batch_op.f('ix_page_title_key'), ['title_key'])


def downgrade():
    with op.batch_alter_table('page') as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_title_key'))
        batch_op.drop_column('title_key')
