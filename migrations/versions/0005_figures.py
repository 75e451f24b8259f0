"""figures a bureau can stand behind (issue 9): sign and verification deadlines watched, the
period deadline of a ticket, reply-based lateness, colourless closed tickets, provisional appeal
windows, follow-up 差评 in the rollups

Revision ID: 0005_figures
Revises: 0005_rate_token_hash (re-chained after merging main; written against 0004)

Existing rows are backfilled as well as stored data allows:
* `period_due_at` = `due_at` (a ticket reopened before this migration keeps counting on its fresh
  deadline's day: the original one was not stored);
* `replied_late` = the reply came at or after `due_at` (exact for tickets never reopened);
* the sign-for / verification thresholds: yellow from 00:00 of the deadline's own day, notice at
  the deadline, escalation 7 calendar days after it (≈ 5 working days). New tickets get the exact
  working-day values; these only time reminders of the few open rows;
* closed tickets lose their colour;
* the indicator rollups are dropped: their counts changed meaning (reply-based lateness, callbacks
  counted per case, follow-up 差评), so the next refresh rebuilds them from raw rows and live
  figures read raw rows until then.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005_figures"
down_revision = "0005_rate_token_hash"
branch_labels = None
depends_on = None

NEW_TICKET_TIMES = (
    "period_due_at", "sign_yellow_from", "sign_notice_at", "sign_escalate_at", "sign_reminded_at",
    "sign_noticed_at", "sign_escalated_at", "verify_yellow_from", "verify_notice_at",
    "verify_escalate_at", "verify_reminded_at", "verify_noticed_at", "verify_escalated_at",
)
REQUIRED = ("period_due_at", "sign_yellow_from", "sign_notice_at", "sign_escalate_at")


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in NEW_TICKET_TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replied_late", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.alter_column("color", existing_type=sa.String(length=8), nullable=True)
    _backfill_tickets()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in REQUIRED:
            batch_op.alter_column(name, existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index("ix_tickets_reopened_due", ["due_at"], unique=False,
                              postgresql_where=sa.text("reopen_count > 0"),
                              sqlite_where=sa.text("reopen_count > 0"))
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.alter_column("actions", existing_type=sa.String(length=32), type_=sa.String(length=128))
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_deadline_provisional", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("indicator_daily", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bad_follow_ups", sa.Integer(), server_default="0", nullable=False))
    for table in ("indicator_daily", "rollup_dirty", "rollup_state"):
        op.execute(sa.text(f"DELETE FROM {table}"))


def _backfill_tickets():
    bind = op.get_bind()
    tickets = sa.table(
        "tickets", sa.column("id", sa.Integer), sa.column("status", sa.String),
        sa.column("due_at", sa.DateTime(timezone=True)), sa.column("sign_due_at", sa.DateTime(timezone=True)),
        sa.column("verify_due_at", sa.DateTime(timezone=True)),
        sa.column("replied_at", sa.DateTime(timezone=True)),
        *[sa.column(name, sa.DateTime(timezone=True)) for name in NEW_TICKET_TIMES],
        sa.column("replied_late", sa.Boolean), sa.column("color", sa.String),
    )
    rows = bind.execute(sa.select(tickets.c.id, tickets.c.due_at, tickets.c.sign_due_at,
                                  tickets.c.verify_due_at, tickets.c.replied_at)).all()
    day, week = timedelta(days=1), timedelta(days=7)
    updates = []
    for row in rows:
        values = {"b_id": row.id, "period_due_at": row.due_at,
                  "replied_late": row.replied_at is not None and row.replied_at >= row.due_at,
                  "sign_yellow_from": row.sign_due_at - day, "sign_notice_at": row.sign_due_at,
                  "sign_escalate_at": row.sign_due_at + week}
        verify = row.verify_due_at
        values.update(verify_yellow_from=verify - day if verify else None, verify_notice_at=verify,
                      verify_escalate_at=verify + week if verify else None)
        updates.append(values)
    if updates:
        columns = [k for k in updates[0] if k != "b_id"]
        bind.execute(tickets.update().where(tickets.c.id == sa.bindparam("b_id"))
                     .values({k: sa.bindparam(k) for k in columns}), updates)
    bind.execute(tickets.update().where(tickets.c.status == "closed").values(color=None))


def downgrade():
    with op.batch_alter_table("indicator_daily", schema=None) as batch_op:
        batch_op.drop_column("bad_follow_ups")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("appeal_deadline_provisional")
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.alter_column("actions", existing_type=sa.String(length=128), type_=sa.String(length=32))
    op.execute(sa.text("UPDATE tickets SET color = 'green' WHERE color IS NULL"))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_reopened_due")
        batch_op.alter_column("color", existing_type=sa.String(length=8), nullable=False)
        batch_op.drop_column("replied_late")
        for name in reversed(NEW_TICKET_TIMES):
            batch_op.drop_column(name)
