from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
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
OUTCOMES = ("resolved", "verified_by_supervisor", "appeal_upheld")


class Ticket(db.Model):
    """A rectification ticket (整改工单): one engine for 差评 and 12345 cases.

    Deadline columns are stored (not derived per request) so the periodic sweep can recolour
    200k open tickets with a few set-based statements.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_open_due", "status", "due_at"),
        Index("ix_tickets_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # review | hotline
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_cases.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(24), default="dispatched")
    outcome: Mapped[str | None] = mapped_column(String(32))
    color: Mapped[str] = mapped_column(String(8), default="green")

    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sign_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    yellow_from: Mapped[datetime] = mapped_column(UTCDateTime())
    notice_at: Mapped[datetime] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    verify_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_status: Mapped[str | None] = mapped_column(String(24))
    pending_request: Mapped[dict | None] = mapped_column(JSONType)

    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_resolution: Mapped[str | None] = mapped_column(String(16))
    reply_content: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()
