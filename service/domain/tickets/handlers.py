"""One function per ticket action, registered into `machine.HANDLERS`: `handler(ctx, ticket) ->
note`, state change only.

Permission and from-state checks are done by `actions.run_action` before a handler runs; a
handler checks the rules that depend on the body or the clock (422 / 409) and mutates the ticket. Committing, the history entry and notifications are the caller's.
"""

from __future__ import annotations

from service.domain import calendar as workdays
from service.domain.accounts import Entry, record, require_department
from service.domain.errors import Conflict, InvalidTransition, ValidationFailed
from service.domain.tickets import deadlines
from service.domain.tickets.machine import Ctx, close, reopen, transition
from service.models import HotlineCase, Review, Ticket


@transition("sign")
def sign(ctx: Ctx, ticket: Ticket) -> str:
    ticket.signed_at = ctx.now
    ticket.status = "handling"
    return "签收"


@transition("request_return")
def request_return(ctx: Ctx, ticket: Ticket) -> str:
    window = workdays.add_working_days(ctx.calendar, ticket.dispatched_at, ctx.settings.deadlines.return_window_days)
    if ctx.now >= window.at:
        raise Conflict(f"退单须在派单后 {ctx.settings.deadlines.return_window_days} 个工作日内提出。")
    _ask(ctx, ticket, "return_requested", {"reason": ctx.data["reason"]})
    return ctx.data["reason"]


@transition("decide_return")
def decide_return(ctx: Ctx, ticket: Ticket) -> str:
    if not ctx.data["approve"]:
        _resume(ticket)
        return "退单驳回"
    code = ctx.data.get("reassign_to")
    if not code:
        raise ValidationFailed("同意退单须指定改派单位。", {"reassign_to": ["缺少必填字段。"]})
    department = require_department(ctx.session, code, field="reassign_to")
    if department.id == ticket.department_id:
        raise ValidationFailed("改派单位不能是原承办单位。", {"reassign_to": ["改派单位不能是原承办单位。"]})
    old = ticket.department.code
    ticket.department, ticket.department_id = department, department.id
    if ticket.case_id is not None:
        ctx.session.get(HotlineCase, ticket.case_id).department_id = department.id
    # 改派: the new unit gets its own full clock from now (sign-for, term, extension, period).
    ticket.status = "dispatched"
    ticket.pending_request = ticket.previous_status = None
    deadlines.restart_clock(ctx.calendar, ctx.settings, ticket, ctx.now)
    return f"退单同意，由 {old} 改派至 {department.code}"


@transition("request_extension")
def request_extension(ctx: Ctx, ticket: Ticket) -> str:
    limits = ctx.settings.deadlines
    days = ctx.data["working_days"]
    if not 1 <= days <= limits.extension_max_days:
        raise ValidationFailed(
            "延期天数超出范围。",
            {"working_days": [f"延期须为 1 到 {limits.extension_max_days} 个工作日。"]},
        )
    if ctx.now >= ticket.due_at:
        raise Conflict("延期须在办理期限届满前申请。")
    if ticket.extension_count >= limits.extension_max_count:
        raise Conflict(f"延期次数已达上限（{limits.extension_max_count} 次）。")
    _ask(ctx, ticket, "extension_requested", {"working_days": days, "reason": ctx.data["reason"]})
    return ctx.data["reason"]


@transition("decide_extension")
def decide_extension(ctx: Ctx, ticket: Ticket) -> str:
    days = ticket.pending_request["working_days"]
    approved = ctx.data["approve"]
    _resume(ticket)
    if not approved:
        return "延期驳回"
    ticket.extension_count += 1
    deadlines.extend(ctx.calendar, ctx.settings, ticket, days, ctx.now)
    ctx.tell(ticket, "deadline")
    return f"延期 {days} 个工作日"


@transition("reply")
def reply(ctx: Ctx, ticket: Ticket) -> str:
    # The department's clock stops here; a reply at or after the deadline in force is 超期 for good.
    ticket.replied_late = ticket.replied_late or deadlines.reply_is_late(ticket, ctx.now)
    ticket.status = "replied"
    ticket.replied_at = ctx.now
    ticket.reply_resolution = ctx.data["resolution"]
    ticket.reply_content = ctx.data["content"]
    ctx.tell(ticket, "reply")
    return ctx.data["resolution"]


@transition("confirm")
def confirm(ctx: Ctx, ticket: Ticket) -> str:
    by_supervisor = ctx.actor.role == "supervisor"
    if by_supervisor and not (ctx.data.get("note") or "").strip():
        raise ValidationFailed("督办人员核实须填写说明。", {"note": ["缺少必填字段。"]})
    if not ctx.data["satisfied"]:
        reopen(ctx, ticket)
        return "不满意，重办"
    close(ctx, ticket, "verified_by_supervisor" if by_supervisor else "resolved")
    return "满意，办结"


@transition("appeal")
def appeal(ctx: Ctx, ticket: Ticket) -> str:
    if ticket.source != "review":
        raise InvalidTransition("12345 工单不能申诉。")
    ticket.paused_at = ctx.now  # the clock stands still while the supervisor reviews
    _ask(ctx, ticket, "appealed", {"reason": ctx.data["reason"], "evidence": ctx.data["evidence"]})
    return ctx.data["reason"]


@transition("decide_appeal")
def decide_appeal(ctx: Ctx, ticket: Ticket) -> str:
    reason = ticket.pending_request["reason"]
    if not ctx.data["upheld"]:
        _resume(ticket)
        deadlines.add_pause(ctx.calendar, ctx.settings, ticket, ctx.now)
        return "申诉驳回"
    review = ctx.session.get(Review, ticket.review_id)
    review.excluded, review.excluded_reason, review.excluded_at = True, reason, ctx.now
    close(ctx, ticket, "appeal_upheld")
    ctx.session.flush()
    record(ctx.session, Entry(
        actor=ctx.actor.name, action="review_excluded", entity_type="review", entity_id=review.id,
        to_state="excluded", note=ctx.data.get("note"), data={"reason": reason, "ticket_id": ticket.id},
        at=ctx.now,
    ))
    return "申诉成立"


@transition("verify")
def verify(ctx: Ctx, ticket: Ticket) -> str:
    if ticket.source != "review":
        raise InvalidTransition("核实回访仅适用于差评整改工单。")
    if ticket.verified_at is not None:
        raise Conflict("该差评已核实回访。")
    ticket.verified_at = ctx.now
    return "回访核实"


def _ask(ctx: Ctx, ticket: Ticket, status: str, request: dict) -> None:
    ticket.previous_status = ticket.status
    ticket.pending_request = {"kind": status, "by": ctx.actor.name, "at": ctx.now.isoformat(), **request}
    ticket.status = status


def _resume(ticket: Ticket) -> None:
    ticket.status = ticket.previous_status or "handling"
    ticket.pending_request = ticket.previous_status = None
