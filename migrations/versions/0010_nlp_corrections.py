"""the tag model's uncertainty per classified review and 12345 case (issue 14)

`GET /nlp/review-queue` lists the texts the tags model is least sure about first. Ordering at
query time would run the model over every unlabelled text on each request (about a minute for a
hundred thousand letters, bench/nlp/queue.py), so the uncertainty is stored when a row is
classified, and indexed for the ordering.
Rows classified before this revision have none and are listed after the others.

Revision ID: 0010_nlp_corrections
Revises: 0008_intake (re-chained after merging main; written against 0005_rate_token_hash)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_nlp_corrections"
down_revision = "0008_intake"
branch_labels = None
depends_on = None

TABLES = (("reviews", "ix_reviews_tag_uncertainty"), ("hotline_cases", "ix_hotline_cases_tag_uncertainty"))


def upgrade():
    for table, index in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("tag_uncertainty", sa.Float(), nullable=True))
            batch_op.create_index(index, ["tag_uncertainty"], unique=False)


def downgrade():
    for table, index in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.drop_column("tag_uncertainty")
