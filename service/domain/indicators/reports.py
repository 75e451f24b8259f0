"""What leaves the building: the appraisal engine's scores and the staff exports (logged)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Entry, Scope, record
from service.domain.errors import NotFound
from service.domain.indicators.appraisal import score_department
from service.domain.indicators.exports import to_csv, to_xlsx
from service.domain.indicators.figures import compute_indicators
from service.domain.indicators.publications import published_view, snapshot_of
from service.models import User

# Mimetypes without parameters: the response adds `charset=utf-8` to text types itself.
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _utc(moment: datetime) -> datetime:
    # The audit chain hashes `at` as given but stores UTC: hand it UTC so verify() agrees.
    return moment.astimezone(timezone.utc)


def _score_item(item: dict[str, Any], status: str, version: int) -> dict[str, Any]:
    appraisal = item["appraisal"]
    return {"department_code": item["department_code"], "department_name": item["department_name"],
            "score": appraisal["score"], "base_score": appraisal["base_score"],
            "components": appraisal["components"], "weights": appraisal["weights"],
            "weights_applied": appraisal["weights_applied"],
            "overdue_tickets": appraisal["overdue_tickets"],
            "overdue_deduction_per_ticket": appraisal["overdue_deduction_per_ticket"],
            "overdue_deduction": appraisal["overdue_deduction"], "grade": appraisal["grade"],
            "color": appraisal["color"], "status": status, "version": version}


def appraisal_scores(session: Session, settings: Settings, period_text: str | None, now: datetime,
                     version: int | None = None) -> list[dict[str, Any]]:
    """Scores of the published version (frozen figures: byte-identical for a period and version);
    before any publication, live figures with status provisional and version 0."""
    try:
        view = published_view(session, period_text, now, version)
    except NotFound:
        if version not in (None, 0):
            raise
        report = compute_indicators(session, settings, Scope(), period_text, now)
        items = [{"department_code": i.department_code, "department_name": i.department_name,
                  "appraisal": score_department(i.indicators, settings)} for i in report.items]
        return [_score_item(item, "provisional", 0) for item in items]
    # final; under_correction (an accepted appeal, until the correcting version is approved);
    # else provisional (appeal window open, appeals pending, or an open period).
    status = view.status if view.status in ("final", "under_correction") else "provisional"
    snapshot = snapshot_of(session, view.publication)
    return [_score_item(item, status, view.publication.version) for item in snapshot["items"]]


def export_indicators(session: Session, settings: Settings, scope: Scope, actor: User,
                      period_text: str | None, department_code: str | None, fmt: str,
                      now: datetime) -> tuple[str, bytes, str]:
    """The live indicator table with scores as CSV or xlsx; every export is in the audit log."""
    report = compute_indicators(session, settings, scope, period_text, now, department_code)
    items = [{"department_code": i.department_code, "department_name": i.department_name,
              "indicators": i.indicators, "appraisal": score_department(i.indicators, settings)}
             for i in report.items]
    label = report.period.label
    content = to_csv(items) if fmt == "csv" else to_xlsx(items, f"指标 {label}")
    record(session, Entry(actor=actor.name, action="indicators_exported", entity_type="indicators",
                          entity_id=label, at=_utc(now),
                          data={"format": fmt, "department": department_code,
                                "departments": len(items)}))
    session.commit()
    return f"indicators-{label}.{fmt}", content, FORMATS[fmt]
