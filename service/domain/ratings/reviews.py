"""Ratings (好差评): one event, one rating; an optional follow-up; append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from config.settings import Settings
from service.domain.accounts import Entry, Scope, record, subtree_ids
from service.domain.errors import AlreadyRated, Conflict, NotFound, ValidationFailed
from service.domain.pagination import Page, paginate
from service.domain.ratings.intake import (
    AcceptedReview,
    insert_primary_rating,
    params_for,
    supports_one_statement,
)
from service.domain.ratings.options import OptionCatalog
from service.domain.ratings.service_events import event_for_token, hash_rate_token
from service.models import HotlineCase, Review, ServiceEvent, User
from service.models.review import DONE, NOT_NEEDED, PENDING
from service.models.types import TAGS, tag_string

CITIZEN_CHANNELS = ("pc", "mobile", "miniprogram", "qrcode", "hall_pad", "hall_terminal", "sms")
CHANNELS = CITIZEN_CHANNELS + ("hotline", "default")
BAD_LEVELS = (1, 2)


def is_bad_level(level: int) -> bool:
    return level in BAD_LEVELS


def submit_review(
    session: Session,
    settings: Settings,
    catalog: OptionCatalog,
    data: dict[str, Any],
    now: datetime,
    operator: User | None = None,
) -> tuple[Review | AcceptedReview, bool]:
    """Store a citizen's rating (by rate_token) or an operator's on the caller's behalf (by event_no).

    Returns (review, created). The operator's call carries an outside identifier (`event_no`), so
    it is idempotent like every such call (api.md): the same body again returns the stored rating
    (created False); a different body for the same event is 409 `already_rated`. On the citizen's
    hot path (a primary rating on PostgreSQL) the review is an AcceptedReview with the fields a
    caller needs: id, event_no, level, is_bad, follow_up, real_name and the pipeline states."""
    if operator is None and not data.get("follow_up") and supports_one_statement(session.get_bind()):
        return _submit_primary_rating(settings, catalog, data, now, session.get_bind()), True
    event = _event_for(session, data, now, operator)
    _check_content(settings, catalog, data, operator)
    follow_up = bool(data.get("follow_up"))
    primary = None
    if follow_up:
        primary = session.scalar(
            select(Review).where(Review.service_event_id == event.id, Review.seq == 0)
        )
        _check_follow_up(settings, primary, now)
    elif now >= event.rate_token_expires_at:
        # The rating window (completion + RATE_TOKEN_TTL_DAYS) is over; the follow-up has its own.
        if operator is None:
            raise NotFound("评价链接无效或已过期。")
        raise Conflict("该办件已超过评价期限。")
    # A second primary rating is refused by the unique (event, seq) constraint at commit, the same
    # 409 as before without a SELECT first: one round trip less on the hot path of intake.
    is_bad = is_bad_level(data["level"])
    # A bad follow-up opens a ticket only when the primary rating did not already open one.
    needs_ticket = is_bad and not (follow_up and primary is not None and primary.is_bad)
    review = Review(
        service_event_id=event.id,
        department_id=event.department_id,
        seq=1 if follow_up else 0,
        level=data["level"],
        is_bad=is_bad,
        channel=data["channel"],
        options=list(dict.fromkeys(data.get("options") or [])),
        options_version=catalog.version,
        text=data.get("text"),
        # Real-name only when the event was registered so and the citizen did not choose anonymity.
        real_name=event.citizen_real_name and data.get("real_name") is not False,
        submitted_by_id=operator.id if operator else None,
        created_at=now,
        classification_state=PENDING if (data.get("text") or "").strip() else DONE,
        ticket_state=PENDING if needs_ticket else NOT_NEEDED,
        effective_tags=tag_string(catalog.tags_for(data["level"], data.get("options") or [])),
    )
    review.service_event = event  # lets the rollup write hook date the event without a query
    session.add(review)
    # The flush also marks this rating's days for the indicator rollups, in the same transaction:
    # service/models/rollup.py `mark_dirty_days`, the write hook installed on every Session.
    try:
        _commit_keeping_state(session)
    except IntegrityError as exc:
        # Already rated, or two submissions raced for the same (event, seq): the constraint decides.
        session.rollback()
        stored = _operator_replay(session, event.id, data) if operator is not None else None
        if stored is None:
            raise AlreadyRated("该办件已评价（一事一评）。") from exc
        return stored, False
    return review, True


def _operator_replay(session: Session, event_id: int, data: dict) -> Review | None:
    """The stored rating when it is this very body, given by an operator before; else None."""
    stored = session.scalar(select(Review).where(
        Review.service_event_id == event_id, Review.seq == (1 if data.get("follow_up") else 0)))
    if stored is None or stored.submitted_by_id is None:
        return None  # the citizen rated it: not a replay of the operator's call
    same = (stored.level == data["level"] and stored.channel == data["channel"]
            and stored.options == list(dict.fromkeys(data.get("options") or []))
            and (stored.text or None) == (data.get("text") or None))
    return stored if same else None


def _submit_primary_rating(settings: Settings, catalog: OptionCatalog, data: dict, now: datetime,
                           engine) -> AcceptedReview:
    """The citizen's primary rating in one statement (ratings/intake.py); same rules, same answers."""
    if not data.get("rate_token"):
        raise ValidationFailed("缺少评价凭证。", {"rate_token": ["缺少必填字段。"]})
    _check_content(settings, catalog, data, None)
    level, options = data["level"], data.get("options") or []
    is_bad = is_bad_level(level)
    params = params_for(
        hash_rate_token(data["rate_token"]), now, level, is_bad, data, list(dict.fromkeys(options)),
        catalog.version, tag_string(catalog.tags_for(level, options)),
        classification_state=PENDING if (data.get("text") or "").strip() else DONE,
        ticket_state=PENDING if is_bad else NOT_NEEDED,
        # Real-name only when the event was registered so and the citizen did not choose anonymity.
        real_name_allowed=data.get("real_name") is not False,
    )
    try:
        accepted = insert_primary_rating(engine, params)
    except IntegrityError as exc:
        raise AlreadyRated("该办件已评价（一事一评）。") from exc
    if accepted is None:  # unknown, rotated, or past completion + RATE_TOKEN_TTL_DAYS
        raise NotFound("评价链接无效或已过期。")
    return accepted


def _commit_keeping_state(session: Session) -> None:
    """Commit without expiring the loaded objects.

    Every column of the new review is set in Python (no server defaults), so what is in memory is
    what was stored. Expiring would make the response and the enqueue re-SELECT the review and its
    event after the commit, each on a fresh pool checkout with its own ping: four round trips.
    """
    # db.session is a scoped_session; the flag lives on the Session it stands for.
    target = session.registry() if isinstance(session, scoped_session) else session
    previous = target.expire_on_commit
    target.expire_on_commit = False
    try:
        target.commit()
    finally:
        target.expire_on_commit = previous


def _event_for(session: Session, data: dict, now: datetime, operator: User | None) -> ServiceEvent:
    if operator is None:
        if not data.get("rate_token"):
            raise ValidationFailed("缺少评价凭证。", {"rate_token": ["缺少必填字段。"]})
        return event_for_token(session, data["rate_token"])
    if not data.get("event_no"):
        raise ValidationFailed("代评需提供办件编号。", {"event_no": ["缺少必填字段。"]})
    event = session.scalar(select(ServiceEvent).where(ServiceEvent.event_no == data["event_no"]))
    if event is None:
        raise NotFound("办件不存在。")
    return event


def _check_content(settings: Settings, catalog: OptionCatalog, data: dict, operator) -> None:
    errors: dict[str, list[str]] = {}
    allowed_channels = ("hotline",) if operator else CITIZEN_CHANNELS
    if data["channel"] not in allowed_channels:
        errors["channel"] = [f"此入口可用的渠道：{', '.join(allowed_channels)}"]
    unknown = [c for c in data.get("options") or [] if c not in catalog.codes_for(data["level"])]
    if unknown:
        errors["options"] = [f"该评价等级不支持的选项：{', '.join(unknown)}"]
    if data.get("text") and len(data["text"]) > settings.review_text_max:
        errors["text"] = [f"长度不能超过 {settings.review_text_max}。"]
    if errors:
        raise ValidationFailed("评价内容校验未通过。", errors)


def _check_follow_up(settings: Settings, primary: Review | None, now: datetime) -> None:
    if primary is None:
        raise Conflict("尚未评价，不能追评。", {"follow_up": ["请先提交首次评价。"]})
    if now > primary.created_at + timedelta(days=settings.follow_up_window_days):
        raise Conflict(f"追评须在首次评价后 {settings.follow_up_window_days} 天内提交。")


@dataclass(frozen=True)
class ReviewFilters:
    department: str | None = None
    level: int | None = None
    tag: str | None = None
    bad: bool | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def list_reviews(session: Session, scope: Scope, filters: ReviewFilters, page: int, per_page: int) -> Page:
    stmt = select(Review).where(Review.department_id.in_(subtree_ids(session, scope, filters.department)))
    if filters.level is not None:
        stmt = stmt.where(Review.level == filters.level)
    if filters.bad is not None:
        stmt = stmt.where(Review.is_bad.is_(filters.bad))
    if filters.tag:
        stmt = stmt.where(Review.effective_tags.contains(f",{filters.tag},", autoescape=True))
    if filters.date_from:
        stmt = stmt.where(Review.created_at >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Review.created_at < filters.date_to)
    return paginate(session, stmt.order_by(Review.id.desc()), page, per_page)


def get_review(session: Session, scope: Scope, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None or not scope.allows(review.service_event.department):
        raise NotFound("评价不存在。")
    return review


def set_human_tags(session: Session, scope: Scope, review_id: int, tags: list[str], actor: User) -> Review:
    """The human label is kept beside the model's and wins wherever tags are counted."""
    review = get_review(session, scope, review_id)
    label_tags(session, review, tags, actor, entity_type="review", action="review_tags_labelled")
    return review


def label_tags(session: Session, row: Review | HotlineCase, tags: list[str], actor: User,
               entity_type: str, action: str) -> None:
    """A person's tag label on a review or a 12345 case: kept beside the model's tags, it wins in
    `effective_tags` (and so in the figures and in retraining); audited with before and after."""
    before = row.human_tags
    row.human_tags = [t for t in TAGS if t in set(tags)]
    row.effective_tags = tag_string(row.human_tags)
    record(session, Entry(actor=actor.name, action=action, entity_type=entity_type,
                          entity_id=row.id, data={"before": before, "after": row.human_tags}))
    session.commit()


def apply_default_ratings(session: Session, settings: Settings, catalog: OptionCatalog, now: datetime) -> int:
    """When enabled, rate events left unrated past the window as 基本满意, flagged is_default.

    Set-based and idempotent: an event that has any primary rating is never touched again.
    """
    if not settings.default_rating_enabled:
        return 0
    cutoff = now - timedelta(days=settings.default_rating_days)
    rated = exists().where(and_(Review.service_event_id == ServiceEvent.id, Review.seq == 0))
    events = session.execute(
        select(ServiceEvent.id, ServiceEvent.department_id, ServiceEvent.citizen_real_name)
        .where(ServiceEvent.completed_at < cutoff, ~rated)
    ).all()
    rows = [
        {
            "service_event_id": e.id, "department_id": e.department_id, "seq": 0,
            "level": settings.default_rating_level, "is_bad": is_bad_level(settings.default_rating_level),
            "channel": "default", "options": [], "options_version": catalog.version, "text": None,
            "is_default": True, "real_name": e.citizen_real_name, "created_at": now,
            "excluded": False, "mismatch": False, "classification_state": DONE,
            "classification_attempts": 0, "ticket_state": NOT_NEEDED, "effective_tags": ",",
        }
        for e in events
    ]
    if rows:
        session.execute(insert(Review), rows)
    session.commit()
    return len(rows)
