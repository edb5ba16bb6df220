"""published index versions, and SLT answers kept in the database (who, when)

The slt_answers table (0001) already holds who approved each answer and when; it becomes the answers'
only home (bot.storage.slt_store), so it needs no change here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('built_by', sa.String(length=200), nullable=False),
    sa.Column('clauses', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version')
    )


def downgrade() -> None:
    op.drop_table('index_versions')
