"""walkthrough positions, group sessions, reminders and notices shown, shared by replicas

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_walks',
    sa.Column('person_key', sa.String(length=200), nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('policy', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('asking', sa.Boolean(), nullable=False),
    sa.Column('session', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_key')
    )
    with op.batch_alter_table('chat_walks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_walks_updated_at'), ['updated_at'], unique=False)

    op.create_table('chat_room_sessions',
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('session', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('room')
    )

    op.create_table('chat_reminders',
    sa.Column('person_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_key')
    )
    with op.batch_alter_table('chat_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_reminders_created_at'), ['created_at'], unique=False)

    op.create_table('chat_notices_shown',
    sa.Column('person_key', sa.String(length=200), nullable=False),
    sa.Column('notice', sa.String(length=64), nullable=False),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_key', 'notice')
    )
    with op.batch_alter_table('chat_notices_shown', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_notices_shown_shown_at'), ['shown_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chat_notices_shown', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_notices_shown_shown_at'))
    op.drop_table('chat_notices_shown')
    with op.batch_alter_table('chat_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_reminders_created_at'))
    op.drop_table('chat_reminders')
    op.drop_table('chat_room_sessions')
    with op.batch_alter_table('chat_walks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_walks_updated_at'))
    op.drop_table('chat_walks')
