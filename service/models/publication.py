"""Published indicator versions (公示) and the departments' appeals against them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.department import Department
from service.models.types import JSONType, UTCDateTime, utcnow
from service.models.user import User

# Stored states. "superseded" and "final" are derived when reading (a later published version
# exists; the appeal window has passed), so a published row is never written to again.
DRAFT, PUBLISHED = "draft", "published"


class Publication(db.Model):
    """One frozen version of a period's figures. The snapshot never changes after the freeze:
    a correction is a new version with a reason (enforced below, not only by convention)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("period", "version", name="uq_publications_period_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    period_kind: Mapped[str] = mapped_column(String(8))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    # Frozen while the period was still running: never becomes final.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    snapshot: Mapped[dict] = mapped_column(JSONType)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appeal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The window's end reached into a year whose holiday arrangement was not loaded: computed on
    # weekdays, recomputed when the year is loaded; the version cannot become final meanwhile.
    appeal_deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Signed anchors of the audit chain's head, taken at freeze and at approval: a published record
    # outside the audit table that `flask audit verify` holds the chain against.
    audit_anchors: Mapped[list | None] = mapped_column(JSONType)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    appeals: Mapped[list[PublicationAppeal]] = relationship(
        back_populates="publication", order_by="PublicationAppeal.id"
    )


# The only columns of a published row that may still change: the appeal window's end, recomputed
# when the holiday arrangement of the year it reaches into is loaded (domain.md §6).
RECOMPUTABLE = ("appeal_deadline", "appeal_deadline_provisional")


@event.listens_for(Publication, "before_update")
def _snapshot_is_immutable(_mapper, _connection, target: Publication) -> None:
    state = db.inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if PUBLISHED in (state.attrs.status.history.deleted or ()) or (
        target.status == PUBLISHED and not state.attrs.status.history.has_changes()
        and not changed <= set(RECOMPUTABLE)
    ):
        raise ValueError(f"publication {target.id} is published and immutable")
    for name in ("snapshot", "snapshot_hash", "period", "version", "as_of"):
        if state.attrs[name].history.has_changes():
            raise ValueError(f"publication {target.id}: {name} is frozen")


class PublicationAppeal(db.Model):
    """A department's appeal (申诉) against a published figure, within the appeal window."""

    __tablename__ = "publication_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    indicator: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | accepted | rejected
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)

    publication: Mapped[Publication] = relationship(back_populates="appeals")
    department: Mapped[Department] = relationship()

    @property
    def department_code(self) -> str:
        return self.department.code
