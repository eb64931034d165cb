"""confluence import: where imported pages and people came from; accounts with an email and no password

Revision ID: 0005_confluence_import
Revises: 0004_page_title_key
Create Date: 2026-12-03 20:07:31

An imported author becomes an account with no password (it cannot sign in
until an admin gives it one), found again by username or email.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_confluence_import'
down_revision = '0004_page_title_key'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'confluence_page',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('space_key', sa.String(length=255), nullable=False),
        sa.Column('content_id', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('title_key', sa.String(length=255), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('home', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['page_id'], ['page.id'], name=op.f('fk_confluence_page_page_id_page')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_confluence_page')),
        sa.UniqueConstraint('space_key', 'content_id', name=op.f('uq_confluence_page_space_key')),
    )
    with op.batch_alter_table('confluence_page') as batch_op:
        batch_op.create_index(batch_op.f('ix_confluence_page_content_id'), ['content_id'])
        batch_op.create_index(batch_op.f('ix_confluence_page_page_id'), ['page_id'])
        batch_op.create_index('ix_confluence_page_space_key_title_key', ['space_key', 'title_key'])

    op.create_table(
        'confluence_account',
        sa.Column('person_key', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_confluence_account_user_id_user')),
        sa.PrimaryKeyConstraint('person_key', name=op.f('pk_confluence_account')),
    )
    with op.batch_alter_table('confluence_account') as batch_op:
        batch_op.create_index(batch_op.f('ix_confluence_account_user_id'), ['user_id'])

    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_user_email'), ['email'])


def downgrade():
    # An account without a password gets one that matches nothing (it still cannot sign in).
    user = sa.table('user', sa.column('password_hash', sa.String))
    op.execute(user.update().where(user.c.password_hash.is_(None)).values(password_hash='!'))
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_email'), type_='unique')
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('email')

    with op.batch_alter_table('confluence_account') as batch_op:
        batch_op.drop_index(batch_op.f('ix_confluence_account_user_id'))
    op.drop_table('confluence_account')

    with op.batch_alter_table('confluence_page') as batch_op:
        batch_op.drop_index('ix_confluence_page_space_key_title_key')
        batch_op.drop_index(batch_op.f('ix_confluence_page_page_id'))
        batch_op.drop_index(batch_op.f('ix_confluence_page_content_id'))
    op.drop_table('confluence_page')
