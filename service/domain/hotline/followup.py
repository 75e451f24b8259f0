"""After intake: callbacks (回访) and merging cases under a parent (并单). See hotline.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.domain.accounts import Entry, Scope, record, record_many
from service.domain.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from service.domain.hotline.cases import CaseView, get_case, handling_ticket
from service.domain.tickets import Actor, TicketEnv, run_action, send_all
from service.models import HotlineCallback, HotlineCase, Ticket, User

SATISFIED = ("satisfied", "basic")


def record_callback(
    session: Session, env: TicketEnv, actor: User, case_id: int, data: dict[str, Any], now: datetime
) -> HotlineCallback:
    """Store the callback; when the handling ticket awaits confirmation, confirm it (same commit)."""
    case = session.get(HotlineCase, case_id)
    if case is None:
        raise NotFound("工单不存在。")
    ticket = handling_ticket(session, case)
    _check_callback(session, case, ticket)
    unit_at_fault = data.get("unit_at_fault", True)
    unsatisfied = data["satisfaction"] not in SATISFIED
    callback = HotlineCallback(
        case_id=case.id, department_id=ticket.department_id if ticket else case.department_id,
        solved=data["solved"], satisfaction=data["satisfaction"], unit_at_fault=unit_at_fault,
        # 不满意 for reasons outside the unit does not count against it (满意率).
        valid=not (unsatisfied and not unit_at_fault), note=data.get("note"),
        operator_id=actor.id, created_at=now,
    )
    session.add(callback)
    session.flush()
    entry = Entry(
        actor=actor.name, action="callback", entity_type="hotline_case", entity_id=case.id,
        to_state=case.status, note=data.get("note"), at=now,
        data={"solved": data["solved"], "satisfaction": data["satisfaction"], "unit_at_fault": unit_at_fault,
              "ticket_id": ticket.id if ticket else None},
    )
    if ticket is not None and ticket.status == "replied":
        satisfied = not (unsatisfied and unit_at_fault)
        confirm = {"action": "confirm", "satisfied": satisfied, "note": data.get("note")}
        ctx = run_action(session, env, ticket, confirm, Actor.of(actor), now, extra=[entry])
        send_all(env.notifier, ctx.outbox)
    else:
        record(session, entry)
        session.commit()
    callback.ticket = ticket  # shown in the response beside the callback
    return callback


def _check_callback(session: Session, case: HotlineCase, ticket: Ticket | None) -> None:
    """After a reply only (a reopened ticket waits for its new reply), once per case and reply."""
    if ticket is None or ticket.replied_at is None or ticket.status not in ("replied", "closed"):
        raise InvalidTransition("工单尚未答复（或重办后尚未再次答复），不能回访。")
    earlier = session.scalar(select(HotlineCallback.id).where(
        HotlineCallback.case_id == case.id, HotlineCallback.created_at >= ticket.replied_at).limit(1))
    if earlier is not None:
        raise Conflict("该诉求人已就本次答复回访，不能重复回访。")


def merge_cases(
    session: Session, scope: Scope, actor: User, parent_id: int, child_ids: list[int], now: datetime
) -> CaseView:
    """并单: children of the same department and type go under the parent; their tickets close."""
    parent = session.get(HotlineCase, parent_id)
    if parent is None:
        raise NotFound("工单不存在。")
    if parent.status != "open" or parent.parent_case_id or parent.duplicate_of_id:
        raise InvalidTransition("只能并入未办结的主工单。")
    parent_ticket = handling_ticket(session, parent)
    children = [_mergeable(session, parent, child_id) for child_id in dict.fromkeys(child_ids)]
    entries = []
    for child in children:
        child.parent_case_id, child.status = parent.id, "merged"
        ticket = session.scalar(select(Ticket).where(Ticket.case_id == child.id))
        if ticket is not None and ticket.status != "closed":
            entries.append(_close_merged(ticket, parent, actor, now))
        entries.append(Entry(
            actor=actor.name, action="case_merged", entity_type="hotline_case", entity_id=child.id,
            from_state="open", to_state="merged", at=now,
            data={"parent_case_id": parent.id, "parent_ticket_id": parent_ticket.id if parent_ticket else None},
        ))
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("工单已被他人同时修改，请重试。") from exc
    record_many(session, entries)
    session.commit()
    return get_case(session, scope, parent.id)


def _mergeable(session: Session, parent: HotlineCase, child_id: int) -> HotlineCase:
    child = session.get(HotlineCase, child_id)
    problem = None
    if child is None:
        problem = f"工单 {child_id} 不存在。"
    elif child.id == parent.id:
        problem = "不能把主工单并入自身。"
    elif child.status != "open" or child.parent_case_id or child.duplicate_of_id:
        problem = f"工单 {child.case_no} 已办结、已并单或是重复件。"
    elif child.department_id != parent.department_id or child.type != parent.type:
        problem = f"工单 {child.case_no} 与主工单的承办单位或诉求类型不同，不能并单。"
    if problem:
        raise ValidationFailed(problem, {"case_ids": [problem]})
    return child


def _close_merged(ticket: Ticket, parent: HotlineCase, actor: User, now: datetime) -> Entry:
    before = ticket.status
    ticket.status, ticket.outcome, ticket.closed_at, ticket.closed_on_time = "closed", "merged", now, None
    ticket.pending_request = ticket.previous_status = ticket.paused_at = ticket.color = None
    return Entry(
        actor=actor.name, action="merge", entity_type="ticket", entity_id=ticket.id,
        from_state=before, to_state="closed", at=now, note=f"并入工单 {parent.case_no}",
        data={"parent_case_id": parent.id},
    )
