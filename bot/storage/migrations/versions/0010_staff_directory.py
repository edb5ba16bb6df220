"""the staff directory, chat identities matched to it, one-time link codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 01:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_members',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org', 'email', name='uq_staff_org_email')
    )
    op.create_index('ix_staff_org_name', 'staff_members', ['org', 'name'], unique=False)
    op.create_table('staff_identities',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('person_key', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=20), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org', 'person_key', name='uq_identity_org_key')
    )
    op.create_index('ix_identity_staff', 'staff_identities', ['staff_id'], unique=False)
    op.create_table('staff_link_codes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org', sa.String(length=100), nullable=False),
    sa.Column('person_key', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    op.create_index(op.f('ix_staff_link_codes_person_key'), 'staff_link_codes', ['person_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_staff_link_codes_person_key'), table_name='staff_link_codes')
    op.drop_table('staff_link_codes')
    op.drop_index('ix_identity_staff', table_name='staff_identities')
    op.drop_table('staff_identities')
    op.drop_index('ix_staff_org_name', table_name='staff_members')
    op.drop_table('staff_members')
