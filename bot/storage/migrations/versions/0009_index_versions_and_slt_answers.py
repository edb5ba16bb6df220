"""published index versions, and SLT answers kept in the database (who, when)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
