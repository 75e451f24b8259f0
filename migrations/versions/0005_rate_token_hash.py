"""rate tokens stored only as a hash (issue 11)

The citizen's rate token is handed once, to the registering system, and never shown again: the
table keeps its SHA-256 only, like API tokens. Existing tokens are hashed in place, so links already
sent keep working.

Revision ID: 0005_rate_token_hash
Revises: 0004
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0005_rate_token_hash"
down_revision = "0004"
branch_labels = None
depends_on = None

events = sa.table("service_events", sa.column("id", sa.Integer), sa.column("rate_token", sa.String),
                  sa.column("rate_token_hash", sa.String))


def upgrade():
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_token_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.id, events.c.rate_token)).all()
    for event_id, token in rows:
        connection.execute(events.update().where(events.c.id == event_id).values(
            rate_token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest()))
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.alter_column("rate_token_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_service_events_rate_token_hash"), ["rate_token_hash"])
        batch_op.drop_constraint(op.f("uq_service_events_rate_token"), type_="unique")
        batch_op.drop_column("rate_token")


def downgrade():
    # A hash cannot be turned back into the token: the old links stop working after a downgrade.
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_token", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    connection.execute(events.update().values(rate_token=events.c.rate_token_hash))
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.alter_column("rate_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_service_events_rate_token"), ["rate_token"])
        batch_op.drop_constraint(op.f("uq_service_events_rate_token_hash"), type_="unique")
        batch_op.drop_column("rate_token_hash")
