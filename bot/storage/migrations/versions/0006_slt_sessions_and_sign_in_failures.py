"""server-side dashboard sessions, and failed sign-ins for the per-client limits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slt_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_hash')
    )
    with op.batch_alter_table('slt_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slt_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_slt_session_member', ['org', 'email'], unique=False)

    op.create_table('slt_sign_in_failures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('recognised', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('slt_sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slt_sign_in_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_failure_client', ['client', 'at'], unique=False)
        batch_op.create_index('ix_failure_account', ['org', 'email', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slt_sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_failure_account')
        batch_op.drop_index('ix_failure_client')
        batch_op.drop_index(batch_op.f('ix_slt_sign_in_failures_at'))
    op.drop_table('slt_sign_in_failures')
    with op.batch_alter_table('slt_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_slt_session_member')
        batch_op.drop_index(batch_op.f('ix_slt_sessions_expires_at'))
    op.drop_table('slt_sessions')
