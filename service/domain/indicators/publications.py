"""Publication (公示) of a period's indicators: freeze, two-person approval, appeals, versions.

* A supervisor freezes the period into a draft: a snapshot of every department's figures and
  appraisal score, with the settings used, hashed. The snapshot is never written again.
* A *different* supervisor approves it (双人复核): it becomes public, and the appeal window
  (default 5 working days from approval) opens. The same supervisor approving ⇒ 409, approving a
  version that is no longer a draft ⇒ 409.
* Departments may appeal a published figure inside the window. Once the window has passed and
  every appeal is decided (none accepted), the version is **final**. A draft frozen while its
  period was still running is *provisional* and never becomes final; freeze again once the period
  has ended.
* An accepted appeal stops the version from becoming final: it is **under_correction** (and the
  appraisal API says so) until the correcting version is approved, which supersedes it.
* The window's end is a working-day deadline like any other: when it reaches into a year whose
  holiday arrangement is not loaded it is computed on weekdays and marked provisional; the version
  does not become final and appeals are still taken until it is recomputed
  (`recompute_appeal_deadlines`, run when a year is loaded and by the periodic job) — never
  refused, never silently final.
* A correction is a new version with a reason; earlier versions stay as they were and are listed
  (a published version with a later published version is reported as "superseded").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from config.settings import Settings
from service.domain.accounts import Entry, Scope, anchor, record, require_department
from service.domain.calendar import add_working_days, work_calendar
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.indicators.appraisal import score_department
from service.domain.indicators.figures import COUNT_KEYS, RATE_KEYS, compute_indicators
from service.domain.indicators.periods import parse_period
from service.domain.pagination import Page, paginate
from service.models import Publication, PublicationAppeal, User
from service.models.publication import DRAFT, PUBLISHED

UNDER_CORRECTION = "under_correction"
APPEALABLE = COUNT_KEYS + RATE_KEYS + (
    "complaint_rate_per_1000", "satisfaction_score", "tag_counts", "score",
)


def _utc(moment: datetime) -> datetime:
    # The audit chain hashes `at` as given but stores UTC: hand it UTC so verify() agrees.
    return moment.astimezone(timezone.utc)


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def build_snapshot(session: Session, settings: Settings, period_text: str, now: datetime) -> dict:
    """Every department's figures and score for the period, with the rule settings used."""
    report = compute_indicators(session, settings, Scope(), period_text, now)
    return {
        "period": report.period.label,
        "as_of": now.isoformat(),
        "open": report.open,
        "settings": {
            "weights": dict(settings.indicator_weights),
            "basic_satisfaction_weight": settings.basic_satisfaction_weight,
            "overdue_deduction": settings.overdue_deduction,
            "color_thresholds": dict(settings.indicator_color_thresholds),
            "grades": dict(settings.appraisal_grades),
        },
        "items": [
            {"department_code": item.department_code, "department_name": item.department_name,
             "indicators": item.indicators,
             "appraisal": score_department(item.indicators, settings)}
            for item in report.items
        ],
    }


def _versions(session: Session, period: str) -> list[Publication]:
    return list(session.scalars(
        select(Publication).options(defer(Publication.snapshot))
        .where(Publication.period == period).order_by(Publication.version)
    ))


def create_publication(session: Session, settings: Settings, period_text: str, actor: User,
                       now: datetime, reason: str | None = None) -> Publication:
    """Freeze the period into a new draft version (a correction when a version is already public)."""
    period = parse_period(period_text, now)
    versions = _versions(session, period.label)
    if any(v.status == DRAFT for v in versions):
        raise Conflict("该统计周期已有待审核的草稿，请先审核。")
    if any(v.status == PUBLISHED for v in versions) and not (reason or "").strip():
        raise ValidationFailed("已公示的周期只能以新版本更正，须说明理由。", {"reason": ["更正须说明理由。"]})
    snapshot = build_snapshot(session, settings, period.label, now)
    publication = Publication(
        period=period.label, period_kind=period.kind, first_day=period.first, last_day=period.last,
        version=max((v.version for v in versions), default=0) + 1, status=DRAFT,
        provisional=period.is_open(now), reason=(reason or "").strip() or None, as_of=now,
        snapshot=snapshot, snapshot_hash=hashlib.sha256(canonical_json(snapshot).encode()).hexdigest(),
        created_by_id=actor.id, created_at=_utc(now),
    )
    session.add(publication)
    session.flush()
    record(session, Entry(actor=actor.name, action="publication_frozen", entity_type="publication",
                          entity_id=publication.id, to_state=DRAFT, note=publication.reason, at=_utc(now),
                          data={"period": period.label, "version": publication.version,
                                "hash": publication.snapshot_hash,
                                "provisional": publication.provisional}))
    # The audit chain's head, signed, in the record itself: an anchor outside the audit table.
    publication.audit_anchors = [anchor(session, now)]
    session.commit()
    return publication


def get_publication(session: Session, publication_id: int) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise NotFound("公示版本不存在。")
    return publication


def approve_publication(session: Session, settings: Settings, publication_id: int, actor: User,
                        now: datetime) -> Publication:
    """A second, different supervisor publishes the draft; the appeal window opens now."""
    publication = session.scalar(
        select(Publication).where(Publication.id == publication_id).with_for_update()
    )
    if publication is None:
        raise NotFound("公示版本不存在。")
    if publication.status != DRAFT:
        raise Conflict("该版本已审核发布，不能再次审核。")
    if publication.created_by_id == actor.id:
        raise Conflict("须由另一名督办人员审核（双人复核），冻结人不能审核自己的草稿。")
    # Computed before any attribute changes: a published row accepts exactly one UPDATE (the audit
    # entry and the anchor of the chain's head are written first, the row's changes all at once).
    deadline = add_working_days(work_calendar(session), now, settings.deadlines.publication_appeal_days)
    record(session, Entry(actor=actor.name, action="publication_approved", entity_type="publication",
                          entity_id=publication.id, from_state=DRAFT, to_state=PUBLISHED, at=_utc(now),
                          data={"period": publication.period, "version": publication.version,
                                "hash": publication.snapshot_hash,
                                "appeal_deadline": deadline.at.isoformat(), "provisional": deadline.provisional}))
    anchors = [*(publication.audit_anchors or []), anchor(session, now)]
    publication.status = PUBLISHED
    publication.approved_by_id, publication.approved_at = actor.id, now
    publication.appeal_deadline = deadline.at
    publication.appeal_deadline_provisional = deadline.provisional
    publication.audit_anchors = anchors
    session.commit()
    return publication


def _latest_published_version(session: Session, period: str) -> int | None:
    return session.scalar(select(func.max(Publication.version))
                          .where(Publication.period == period, Publication.status == PUBLISHED))


def version_status(session: Session, publication: Publication, now: datetime,
                   latest_version: int | None = -1) -> str:
    """draft | published (appeal window open or provisional, appeals pending, or the period was
    open) | under_correction (an appeal was accepted) | final | superseded.

    `latest_version`: the period's latest published version when the caller already knows it."""
    if publication.status == DRAFT:
        return DRAFT
    if latest_version == -1:
        latest_version = _latest_published_version(session, publication.period)
    if latest_version != publication.version:
        return "superseded"
    appeals = dict(session.execute(
        select(PublicationAppeal.status, func.count(PublicationAppeal.id))
        .where(PublicationAppeal.publication_id == publication.id).group_by(PublicationAppeal.status)
    ).all())
    if appeals.get("accepted"):
        return UNDER_CORRECTION
    if publication.provisional or appeals.get("open") or _window_open(publication, now):
        return PUBLISHED
    return "final"


def _window_open(publication: Publication, now: datetime) -> bool:
    # A provisional end (a year not loaded yet) is not final: it may still move later.
    return publication.appeal_deadline_provisional or now < publication.appeal_deadline


def file_appeal(session: Session, scope: Scope, publication_id: int, data: dict[str, Any],
                actor: User, now: datetime) -> PublicationAppeal:
    """A department appeals a published figure, inside the appeal window."""
    publication = get_publication(session, publication_id)
    status = version_status(session, publication, now)
    if publication.status != PUBLISHED or status not in (PUBLISHED, UNDER_CORRECTION):
        raise Conflict("该版本不在申诉期内（未发布、已被更正或已定稿）。")
    if not _window_open(publication, now):
        raise Conflict("申诉期已过。")
    department = require_department(session, data["department_code"])
    if not scope.allows(department):  # reads like an unknown code: nobody learns it exists
        raise ValidationFailed("部门不存在。", {"department_code": [f"未知部门编码：{data['department_code']}"]})
    if data["indicator"] not in APPEALABLE:
        raise ValidationFailed("未知指标。", {"indicator": [f"可申诉的指标：{', '.join(APPEALABLE)}"]})
    appeal = PublicationAppeal(publication_id=publication.id, department_id=department.id,
                               indicator=data["indicator"], reason=data["reason"],
                               created_by_id=actor.id, created_at=_utc(now))
    session.add(appeal)
    session.flush()
    record(session, Entry(actor=actor.name, action="publication_appealed", entity_type="publication",
                          entity_id=publication.id, to_state="open", note=data["reason"], at=_utc(now),
                          data={"appeal_id": appeal.id, "department": department.code,
                                "indicator": data["indicator"]}))
    session.commit()
    return appeal


def decide_appeal(session: Session, publication_id: int, appeal_id: int, accepted: bool, note: str,
                  actor: User, now: datetime) -> PublicationAppeal:
    """A supervisor decides; an accepted appeal is remedied by a corrected version, never an edit."""
    appeal = session.get(PublicationAppeal, appeal_id)
    if appeal is None or appeal.publication_id != publication_id:
        raise NotFound("申诉不存在。")
    if appeal.status != "open":
        raise Conflict("该申诉已处理。")
    appeal.status = "accepted" if accepted else "rejected"
    appeal.decided_by_id, appeal.decided_at, appeal.decision_note = actor.id, now, note
    record(session, Entry(actor=actor.name, action="publication_appeal_decided",
                          entity_type="publication", entity_id=publication_id, from_state="open",
                          to_state=appeal.status, note=note, at=_utc(now), data={"appeal_id": appeal.id}))
    session.commit()
    return appeal


def list_publications(session: Session, period_text: str | None, now: datetime, page: int = 1,
                      per_page: int = 50) -> Page:
    stmt = select(Publication).options(defer(Publication.snapshot)).order_by(
        Publication.period, Publication.version)
    if period_text:
        stmt = stmt.where(Publication.period == parse_period(period_text, now).label)
    return paginate(session, stmt, page, per_page)


@dataclass
class PublishedView:
    publication: Publication
    status: str
    versions: list[dict[str, Any]]


def published_view(session: Session, period_text: str | None, now: datetime,
                   version: int | None = None) -> PublishedView:
    """The latest published version of a period (or the one asked for), with the version list.

    The snapshot column is not loaded here: callers cache its rendering by (id, hash)."""
    period = parse_period(period_text, now)
    published = [v for v in _versions(session, period.label) if v.status == PUBLISHED]
    if not published:
        raise NotFound("该统计周期尚未公示。")
    chosen = published[-1] if version is None else next(
        (v for v in published if v.version == version), None)
    if chosen is None:
        raise NotFound("该公示版本不存在。")
    # One query for the whole view (the public endpoint's hot path); appeals only once final-able.
    latest = published[-1].version
    statuses = {v.version: version_status(session, v, now, latest) for v in published}
    versions = [{"version": v.version, "status": statuses[v.version], "published_at": v.approved_at,
                 "reason": v.reason, "provisional": v.provisional} for v in published]
    return PublishedView(chosen, statuses[chosen.version], versions)


def snapshot_of(session: Session, publication: Publication) -> dict:
    return session.scalar(select(Publication.snapshot).where(Publication.id == publication.id))


def describe_publication(session: Session, publication: Publication, now: datetime,
                         with_items: bool = False) -> dict[str, Any]:
    """A publication with its derived status (and, for review before approval, its figures)."""
    out = {
        "id": publication.id, "period": publication.period, "version": publication.version,
        "status": version_status(session, publication, now), "provisional": publication.provisional,
        "reason": publication.reason, "as_of": publication.as_of,
        "snapshot_hash": publication.snapshot_hash, "created_by": publication.created_by.name,
        "created_at": publication.created_at,
        "approved_by": publication.approved_by.name if publication.approved_by else None,
        "approved_at": publication.approved_at, "appeal_deadline": publication.appeal_deadline,
        "appeal_deadline_provisional": publication.appeal_deadline_provisional,
        "appeals": list(publication.appeals), "audit_anchors": publication.audit_anchors or [],
    }
    if with_items:
        out["items"] = public_items(snapshot_of(session, publication))
    return out


def public_items(snapshot: dict) -> list[dict[str, Any]]:
    return [{"department_code": item["department_code"], "department_name": item["department_name"],
             "score": item["appraisal"]["score"], "color": item["appraisal"]["color"],
             "indicators": item["indicators"]} for item in snapshot["items"]]

