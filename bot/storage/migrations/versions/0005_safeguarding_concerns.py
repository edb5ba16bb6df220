"""safeguarding concerns for the DSL, and every view of them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('concerns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('raiser', sa.String(length=300), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('about', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('seen_by', sa.String(length=200), nullable=True),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('followed_up_by', sa.String(length=200), nullable=True),
    sa.Column('followed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('alerts_sent', sa.Integer(), nullable=False),
    sa.Column('last_alert_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index('ix_concern_org_status', ['org', 'status', 'raised_at'], unique=False)

    op.create_table('concern_views',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('concern_id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('viewer', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('concern_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_views_concern_id'), ['concern_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('concern_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_views_concern_id'))
    op.drop_table('concern_views')
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concern_org_status')
    op.drop_table('concerns')
