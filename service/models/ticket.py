from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.department import Department
from service.models.types import JSONType, UTCDateTime, utcnow

STATUSES = (
    "dispatched",
    "handling",
    "replied",
    "closed",
    "return_requested",
    "extension_requested",
    "appealed",
)
OPEN_STATUSES = tuple(s for s in STATUSES if s != "closed")
# The department's handling clock runs in these states: the sweep colours and escalates them only.
# `replied` waits for the citizen, `appealed` is paused (domain.md §5).
RUNNING_STATUSES = ("dispatched", "handling", "return_requested", "extension_requested")
# `merged`: a 12345 child case's ticket, folded into its parent case's ticket (并单).
OUTCOMES = ("resolved", "verified_by_supervisor", "appeal_upheld", "merged")
SOURCES = ("review", "hotline")
COLORS = ("green", "yellow", "red")


class Ticket(db.Model):
    """A rectification ticket (整改工单): one engine for 差评 and 12345 cases.

    Deadline columns are stored (not derived per request) so the periodic sweep can recolour
    200k open tickets with a few set-based statements. What the deadlines are computed *from* is
    stored too (clock_started_at, term, extension_days, pauses), so they can be recomputed when a
    holiday arrangement is loaded for a year that was unknown (deadline_provisional).

    `version` is the ORM's optimistic lock: every UPDATE says `WHERE version = ?`, so two
    concurrent actions (or an action racing the sweep, which bumps it too) end with one winner.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_open_due", "status", "due_at"),
        Index("ix_tickets_department_status", "department_id", "status"),
        # Partial: only the few provisional rows are indexed, so sweeps never touch this index.
        Index("ix_tickets_provisional", "deadline_provisional",
              postgresql_where=text("deadline_provisional"), sqlite_where=text("deadline_provisional")),
        # Partial: reopened tickets only, whose fresh deadline (due_at) passing changes the counts
        # of the day of their original deadline (period_due_at); the rollups look them up by it.
        Index("ix_tickets_reopened_due", "due_at",
              postgresql_where=text("reopen_count > 0"), sqlite_where=text("reopen_count > 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # review | hotline
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_cases.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(24), default="dispatched")
    outcome: Mapped[str | None] = mapped_column(String(32))
    # Of open tickets only: NULL once closed (domain.md §5, "a closed ticket has none").
    color: Mapped[str | None] = mapped_column(String(8), default="green")

    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sign_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The current handling term: from dispatch, or from the last reopening (重办).
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    term_days: Mapped[int | None] = mapped_column(Integer)
    term_hours: Mapped[float | None] = mapped_column(Float)  # urgent 12345 cases
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    # [[paused_from, paused_until], ...] ISO strings: appeal reviews that stopped the clock.
    pauses: Mapped[list] = mapped_column(JSONType, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    yellow_from: Mapped[datetime] = mapped_column(UTCDateTime())
    notice_at: Mapped[datetime] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The deadline whose day the ticket's counts belong to: the handling deadline in force of the
    # dispatch (extensions and pauses included); a reopening (重办) leaves it where it was.
    period_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    verify_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The sign-for and verification-callback deadlines are watched like the handling deadline.
    sign_yellow_from: Mapped[datetime] = mapped_column(UTCDateTime())
    sign_notice_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sign_escalate_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sign_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sign_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sign_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_yellow_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_status: Mapped[str | None] = mapped_column(String(24))
    pending_request: Mapped[dict | None] = mapped_column(JSONType)

    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A reply came at or after the deadline in force of its term: overdue (超期) for good, even if
    # the ticket is reopened and answered in time afterwards.
    replied_late: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_resolution: Mapped[str | None] = mapped_column(String(16))
    reply_content: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def department_code(self) -> str:
        return self.department.code

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES and self.paused_at is None


class TicketEvent(db.Model):
    """What one sweep run fired for one ticket: reminder (催办), notice (催办通知书), escalation (通报).

    `actions` is "remind", "notice", "escalate" (the handling deadline), "sign_remind", … (the
    sign-for deadline), "verify_remind", … (the verification callback), or several of them
    comma-joined when they fell due together (one row per ticket and run keeps the sweep's writes to a minimum). Written set-based
    by the sweep. Each run also appends one hash-chained audit entry per kind (entity_type
    "ticket_sweep", at = the run's time) listing the ticket ids, so every row here is covered by
    the tamper-evident chain. No foreign key: the sweep inserts only ids it has just updated, and
    a per-row key check would double the cost of a large run.
    """

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actions: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(24))
    color: Mapped[str] = mapped_column(String(8))
