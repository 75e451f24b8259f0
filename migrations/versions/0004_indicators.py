"""indicator rollups and publications (issue 5)

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rollup_dirty',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_dirty'))
    )
    op.create_table('rollup_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=False),
    sa.Column('callback_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_rollup_state'))
    )
    op.create_table('indicator_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('reviews_total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_active', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_excluded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_valid', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_good', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_bad', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_active_valid', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reviews_active_good', sa.Integer(), server_default='0', nullable=False),
    sa.Column('level_points', sa.Integer(), server_default='0', nullable=False),
    sa.Column('follow_ups', sa.Integer(), server_default='0', nullable=False),
    sa.Column('real_name_bad', sa.Integer(), server_default='0', nullable=False),
    sa.Column('real_name_bad_verified', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bad_replied', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bad_tag_delay', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bad_tag_quality', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bad_tag_attitude', sa.Integer(), server_default='0', nullable=False),
    sa.Column('service_events', sa.Integer(), server_default='0', nullable=False),
    sa.Column('events_rated', sa.Integer(), server_default='0', nullable=False),
    sa.Column('complaint_cases', sa.Integer(), server_default='0', nullable=False),
    sa.Column('case_tag_delay', sa.Integer(), server_default='0', nullable=False),
    sa.Column('case_tag_quality', sa.Integer(), server_default='0', nullable=False),
    sa.Column('case_tag_attitude', sa.Integer(), server_default='0', nullable=False),
    sa.Column('callbacks_valid', sa.Integer(), server_default='0', nullable=False),
    sa.Column('callbacks_solved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('callbacks_satisfied', sa.Integer(), server_default='0', nullable=False),
    sa.Column('callbacks_basic', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sign_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('signed_on_time', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rectify_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rectified', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rectified_on_time', sa.Integer(), server_default='0', nullable=False),
    sa.Column('overdue', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_indicator_daily_department_id_departments')),
    sa.PrimaryKeyConstraint('day', 'department_id', name=op.f('pk_indicator_daily'))
    )
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('snapshot_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_publications_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_publications_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('period', 'version', name='uq_publications_period_version')
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_period'), ['period'], unique=False)

    op.create_table('publication_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=48), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_publication_appeals_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_publication_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_publication_appeals_department_id_departments')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_appeals_publication_id_publications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_appeals'))
    )
    with op.batch_alter_table('publication_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_appeals_publication_id'), ['publication_id'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_created_at')

    with op.batch_alter_table('publication_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_appeals_publication_id'))

    op.drop_table('publication_appeals')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_period'))

    op.drop_table('publications')
    op.drop_table('indicator_daily')
    op.drop_table('rollup_state')
    op.drop_table('rollup_dirty')
