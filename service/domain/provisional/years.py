"""Loading a year's holiday arrangement and settling what was computed on weekdays before it.

Until a year is known, deadlines reaching into it are computed on weekdays and marked provisional
— never refused, never silently final (domain.md §5–§6). Two capabilities hand such deadlines
out: tickets (handling, sign-for and verification deadlines) and indicators (the appeal window of
a published version). Loading a year recomputes both at once; the periodic job does it again in
case a year was loaded elsewhere or a recomputation lost a race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.calendar import store_year, years_status
from service.domain.indicators import provisional_appeal_windows, recompute_appeal_deadlines
from service.domain.tickets import provisional_ticket_count, recompute_provisional
from service.models.types import SHANGHAI


def load_calendar_year(
    session: Session, settings: Settings, text: str, source: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Parse a year file, store it (replacing an earlier load of that year), recompute deadlines.

    Raises CalendarFileError (a ValueError, Chinese message) for a malformed file."""
    stored = store_year(session, text, source, actor, now)
    return {**stored, **recompute_provisional_deadlines(session, settings, now)}


def recompute_provisional_deadlines(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """Tickets (their counts at the top level) and appeal windows (under `appeal_windows`)."""
    tickets = recompute_provisional(session, settings, now)
    return {**tickets, "appeal_windows": recompute_appeal_deadlines(session, settings, now)}


def calendar_status(session: Session, now: datetime) -> dict[str, Any]:
    """Known years and the warnings /readyz and the admin API show."""
    years = years_status(session, now)
    this_year = now.astimezone(SHANGHAI).year
    unknown = "、".join(str(y["year"]) for y in years if not y["known"] and y["year"] >= this_year) or "相关"
    tickets, windows = provisional_ticket_count(session), provisional_appeal_windows(session)
    warnings = []
    if tickets:
        warnings.append(f"{tickets} 个未办结工单的期限为临时计算（按周一至周五），请加载 {unknown} 年度节假日安排。")
    if windows:
        warnings.append(f"{windows} 个公示申诉期的截止时间为临时计算（按周一至周五），"
                        f"请加载 {unknown} 年度节假日安排。")
    return {"years": years, "provisional_tickets": tickets, "provisional_appeal_windows": windows,
            "warnings": warnings}
