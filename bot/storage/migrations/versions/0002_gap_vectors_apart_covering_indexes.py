"""gap vectors apart, covering indexes

Feedback carries its organisation (indexed with helpful and time). Unanswered questions' embeddings move from log_entries to gap_vectors (data kept), so that the
dashboard's scans of log_entries read small rows; covering indexes serve its counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 07:47:40.546981
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gap_vectors',
    sa.Column('entry_id', sa.String(length=32), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['log_entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.execute("INSERT INTO gap_vectors (entry_id, vector) SELECT id, vector FROM log_entries WHERE vector IS NOT NULL")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org', sa.String(length=100), nullable=True))
    op.execute("UPDATE feedback SET org = (SELECT org FROM log_entries WHERE log_entries.id = feedback.entry_id)")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.alter_column('org', existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index('ix_feedback_org_helpful_given', ['org', 'helpful', 'given_at'], unique=False)

    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_org_asked'))
        batch_op.drop_index(batch_op.f('ix_log_org_week'))
        batch_op.create_index('ix_log_period', ['org', 'asked_at', 'week', 'answered', 'flagged', 'asker'], unique=False)
        batch_op.create_index('ix_log_top', ['org', 'answered', 'top_document', 'top_section', 'asked_at'], unique=False)
        batch_op.drop_column('vector')



def downgrade() -> None:
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vector', sa.LargeBinary(), nullable=True))
        batch_op.drop_index('ix_log_top')
        batch_op.drop_index('ix_log_period')
        batch_op.create_index(batch_op.f('ix_log_org_week'), ['org', 'week'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_org_asked'), ['org', 'asked_at'], unique=False)

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_org_helpful_given')
        batch_op.drop_column('org')

    op.execute("UPDATE log_entries SET vector = (SELECT vector FROM gap_vectors WHERE gap_vectors.entry_id = log_entries.id)")
    op.drop_table('gap_vectors')
