from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.department import Department
from service.models.types import UTCDateTime, utcnow


class ServiceEvent(db.Model):
    """A finished service event (办件). Its rate token is the citizen's only right to rate it.

    Only the token's SHA-256 is stored (`rate_token_hash`): the token itself is handed once, to the
    system that registered the event (or that asked for a resend), and never shown again.
    `rate_token_expires_at` closes the *rating*: completion + RATE_TOKEN_TTL_DAYS. The same link
    keeps working for the follow-up (within its window) and for confirming the event's ticket while
    that ticket waits for the citizen.
    """

    __tablename__ = "service_events"
    __table_args__ = (
        # The retention job's look-up: events whose contact data is still there, by completion.
        Index("ix_service_events_contact_kept", "completed_at",
              postgresql_where=text("contact_anonymised_at IS NULL"),
              sqlite_where=text("contact_anonymised_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_no: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    item_name: Mapped[str] = mapped_column(String(200))
    item_code: Mapped[str | None] = mapped_column(String(64))
    staff_no: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    rate_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rate_token_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    citizen_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    citizen_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    citizen_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    # Masked forms are kept so responses never need the decryption key.
    citizen_name_masked: Mapped[str | None] = mapped_column(String(64))
    citizen_phone_masked: Mapped[str | None] = mapped_column(String(32))
    citizen_real_name: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the canonical request body: a replay with the same body is idempotent, another is 409.
    body_fingerprint: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when CONTACT_RETENTION_DAYS after completion the citizen's contact data was erased.
    contact_anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    department: Mapped[Department] = relationship()

    # Not a column: the plain token, known only in the answer that issued it (creation, resend).
    rate_token = None  # type: str | None
