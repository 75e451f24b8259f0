"""What a citizen does with a rate link from a page: rate (first or follow-up), confirm the reply.

Rating runs the form's own rules first — a level must be chosen, a 差评 names at least one reason,
the chosen options belong to the chosen level, the text fits — each as a field error in Chinese
so the page can show it next to the field, then the same `ratings.submit_review` as
POST /api/v1/reviews. Confirming is `tickets.perform_action` as the citizen, with the rate token,
as POST /api/v1/tickets/{id}/actions is for a citizen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.citizen.view import citizen_view
from service.domain.errors import AlreadyRated, Conflict, NotFound, ValidationFailed
from service.domain.ratings import CITIZEN_CHANNELS, OptionCatalog, is_bad_level, submit_review
from service.domain.tickets import CITIZEN, TicketEnv, perform_action
from service.models import Review, Ticket

CONFIRM_REASON_MAX = 500


class LinkExpired(NotFound):
    """The rating window of this link is over (the page answers 410; the API keeps its 404)."""


@dataclass
class RatingForm:
    """What the rating form sent, as typed (kept for re-rendering on an error)."""

    level: str | None = None
    options: list[str] = field(default_factory=list)
    text: str = ""
    follow_up: bool = False
    channel: str = "mobile"
    real_name: bool = True  # the 实名评价 box, ticked unless the citizen unticks it


def rate_with_link(session: Session, settings: Settings, catalog: OptionCatalog, rate_token: str,
                   form: RatingForm, now: datetime) -> Review:
    """Check the form, then store the rating exactly as the citizen API does."""
    view = citizen_view(session, settings, catalog, rate_token, now)
    if form.follow_up:
        if view.follow_up is not None:
            raise AlreadyRated("您已追评过（每个办件可追评一次）。")
        if not view.follow_up_open:
            raise Conflict(f"追评须在首次评价后 {settings.follow_up_window_days} 天内提交。")
    elif view.rating is not None:
        raise AlreadyRated("该办件已评价（一事一评）。")
    elif not view.rating_open:
        raise LinkExpired("该办件的评价期限已过。")
    level = _check_form(settings, catalog, form)
    data = {"rate_token": rate_token, "level": level, "channel": form.channel,
            "options": form.options, "follow_up": form.follow_up}
    if view.real_name_offered:
        data["real_name"] = form.real_name
    if form.text.strip():
        data["text"] = form.text.strip()
    return submit_review(session, settings, catalog, data, now)[0]


def _check_form(settings: Settings, catalog: OptionCatalog, form: RatingForm) -> int:
    errors: dict[str, list[str]] = {}
    level = int(form.level) if form.level in {str(n) for n in catalog.levels} else None
    if level is None:
        errors["level"] = ["请选择评价等级。"]
    else:
        allowed = catalog.codes_for(level)
        stray = [code for code in form.options if code not in allowed]
        if stray:
            errors["options"] = ["所选内容与评价等级不符，请在所选等级下重新选择。"]
        elif is_bad_level(level) and not form.options:
            errors["options"] = ["请至少选择一项差评原因。"]
    if len(form.text.strip()) > settings.review_text_max:
        errors["text"] = [f"文字评价不能超过 {settings.review_text_max} 字（现为 {len(form.text.strip())} 字）。"]
    if form.channel not in CITIZEN_CHANNELS:
        errors["channel"] = ["评价渠道无效。"]
    if errors:
        raise ValidationFailed("评价内容有误，请修改后再提交。", errors)
    return level


def confirm_with_link(session: Session, env: TicketEnv, catalog: OptionCatalog, rate_token: str,
                      satisfied: bool, reason: str, now: datetime) -> Ticket:
    """满意 closes the ticket, 不满意 sends it back to the department with a fresh deadline (重办)."""
    view = citizen_view(session, env.settings, catalog, rate_token, now)
    if not view.may_confirm:
        raise Conflict("当前没有需要您确认的答复。")
    reason = reason.strip()
    if len(reason) > CONFIRM_REASON_MAX:
        raise ValidationFailed("原因过长。", {"reason": [f"原因不能超过 {CONFIRM_REASON_MAX} 字。"]})
    data = {"action": "confirm", "satisfied": satisfied, "rate_token": rate_token}
    if reason:
        data["note"] = reason
    return perform_action(session, env, view.ticket.id, data, CITIZEN, now)
