"""The appeal window's end of a published version as a working-day deadline (domain.md §6).

Approval computes it (publications.approve_publication); when it reaches into a year whose holiday
arrangement is not loaded it is computed on weekdays and marked provisional, and the version does
not become final meanwhile. Loading the year (service/domain/provisional) recomputes it here.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Entry, record
from service.domain.calendar import add_working_days, work_calendar
from service.models import Publication
from service.models.publication import PUBLISHED


def recompute_appeal_deadlines(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Recompute the provisional appeal-window ends with the calendar as it is now; commits.

    Few rows (published versions whose window reaches into an unknown year), so a loop is fine.
    Each change is in the audit log; the published figures themselves are never touched."""
    calendar = work_calendar(session)
    checked = settled = 0
    for publication in session.scalars(
        select(Publication).where(Publication.appeal_deadline_provisional.is_(True),
                                  Publication.status == PUBLISHED).order_by(Publication.id)
    ):
        before = publication.appeal_deadline
        deadline = add_working_days(calendar, publication.approved_at,
                                    settings.deadlines.publication_appeal_days)
        checked += 1
        settled += not deadline.provisional
        if deadline.at == before and deadline.provisional:
            continue
        publication.appeal_deadline = deadline.at
        publication.appeal_deadline_provisional = deadline.provisional
        session.flush()
        record(session, Entry(
            actor="system", action="appeal_deadline_recomputed", entity_type="publication",
            entity_id=publication.id, at=now.astimezone(timezone.utc), note="节假日安排已加载，申诉期重新计算。",
            data={"before": before.isoformat(), "appeal_deadline": deadline.at.isoformat(),
                  "provisional": deadline.provisional},
        ))
    session.commit()
    return {"checked": checked, "settled": settled, "still_provisional": checked - settled}


def provisional_appeal_windows(session: Session) -> int:
    return session.scalar(select(func.count(Publication.id)).where(
        Publication.appeal_deadline_provisional.is_(True), Publication.status == PUBLISHED)) or 0
