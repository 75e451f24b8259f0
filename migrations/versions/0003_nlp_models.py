"""text classification models (issue 3)

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('nlp_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=128), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('metrics', _json(), nullable=False),
    sa.Column('trained_on', _json(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nlp_models')),
    sa.UniqueConstraint('version', name=op.f('uq_nlp_models_version'))
    )
    with op.batch_alter_table('nlp_models', schema=None) as batch_op:
        batch_op.create_index('ix_nlp_models_task_active', ['task', 'active'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('classification_next_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('hotline_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('classified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('classification_next_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('hotline_cases', schema=None) as batch_op:
        batch_op.drop_column('classification_next_at')
        batch_op.drop_column('classified_at')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('classification_next_at')

    with op.batch_alter_table('nlp_models', schema=None) as batch_op:
        batch_op.drop_index('ix_nlp_models_task_active')

    op.drop_table('nlp_models')
