"""mail: the outbox, addresses that unsubscribed, confirmed account addresses

Revision ID: 0008_mail
Revises: 0007_languages
Create Date: 2026-12-04 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_mail'
down_revision = '0007_languages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=True),
        sa.Column('unsubscribe_url', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    )
    op.create_index('ix_outbox_message_due', 'outbox_message', ['sent_at', 'failed_at', 'next_attempt_at'])
    op.create_table(
        'mail_opt_out',
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('address', name=op.f('pk_mail_opt_out')),
    )
    op.add_column('user', sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('user', 'email_confirmed_at')
    op.drop_table('mail_opt_out')
    op.drop_index('ix_outbox_message_due', table_name='outbox_message')
    op.drop_table('outbox_message')
