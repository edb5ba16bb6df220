"""platform deliveries seen (unique key, expiry) and rate-limit buckets shared by replicas

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_keys',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'key')
    )
    with op.batch_alter_table('delivery_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_keys_expires_at'), ['expires_at'], unique=False)

    op.create_table('rate_buckets',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('rate_buckets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_buckets_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_buckets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_buckets_at'))
    op.drop_table('rate_buckets')
    with op.batch_alter_table('delivery_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_keys_expires_at'))
    op.drop_table('delivery_keys')
