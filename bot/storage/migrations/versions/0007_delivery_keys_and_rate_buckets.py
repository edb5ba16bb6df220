"""platform deliveries seen (unique key, expiry) and rate-limit buckets shared by replicas

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
