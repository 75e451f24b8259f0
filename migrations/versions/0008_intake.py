"""intake redesign (issue 13): the lease of a review's pending ticket opening

The dispatcher claims pending rows in batches and hands RQ one job per batch; a claimed row carries
a lease (`classification_next_at` for classification, this column for ticket opening) after which
it may be handed out again if its job was lost.

Revision ID: 0008_intake
Revises: 0006_security (re-chained at the merge of main; it was 0005_rate_token_hash)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_intake"
down_revision = "0006_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_next_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("ticket_next_at")
