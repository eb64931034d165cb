"""api tokens: personal tokens of the REST API

Revision ID: 0009_api_tokens
Revises: 0008_mail
Create Date: 2026-12-04 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_api_tokens'
down_revision = '0008_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('hint', sa.String(length=16), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('digest', name=op.f('uq_api_token_digest')),
    )
    op.create_index('ix_api_token_user_id', 'api_token', ['user_id'])


def downgrade():
    op.drop_index('ix_api_token_user_id', table_name='api_token')
    op.drop_table('api_token')
