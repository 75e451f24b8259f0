"""Who is told about a ticket's reply or new deadline, and what the SMS says.

A 差评 ticket tells the rater (the event's citizen contact); a 12345 ticket tells its caller, the
callers of duplicates attached to the case (重复件) and of cases merged under it (并单) — every
caller gets the reply. Numbers are decrypted only here, only to hand them to the notifier.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.domain.privacy import ContactCipher
from service.models import HotlineCase, Review, Ticket
from service.models.types import SHANGHAI

REPLY_EXCERPT = 60


def caller_cases(session: Session, case_id: int) -> list[HotlineCase]:
    """The case and every case answered through it (duplicates, merged children and theirs)."""
    cases = [session.get(HotlineCase, case_id)]
    frontier = [case_id]
    while frontier:
        linked = session.scalars(
            select(HotlineCase)
            .where(or_(HotlineCase.duplicate_of_id.in_(frontier), HotlineCase.parent_case_id.in_(frontier)))
            .order_by(HotlineCase.id)
        ).all()
        linked = [c for c in linked if c not in cases]
        cases += linked
        frontier = [c.id for c in linked]
    return cases


def recipients(session: Session, cipher: ContactCipher | None, ticket: Ticket) -> list[str]:
    if cipher is None:
        return []
    if ticket.source == "review":
        blobs = [session.get(Review, ticket.review_id).service_event.citizen_phone_enc]
    else:
        blobs = [c.caller_phone_enc for c in caller_cases(session, ticket.case_id)]
    phones: list[str] = []
    for blob in blobs:
        phone = cipher.decrypt(blob)
        if phone and phone not in phones:
            phones.append(phone)
    return phones


def _label(ticket: Ticket) -> str:
    return f"整改工单 {ticket.id}" if ticket.source == "review" else f"12345 诉求工单 {ticket.id}"


def reply_message(ticket: Ticket) -> str:
    content = ticket.reply_content or ""
    if len(content) > REPLY_EXCERPT:
        content = content[:REPLY_EXCERPT] + "…"
    return f"【住建局】您反映的问题（{_label(ticket)}）已答复：{content} 如有异议请在回访时说明。"


def deadline_message(ticket: Ticket) -> str:
    local = ticket.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    note = "（暂按工作日推算，节假日安排公布后可能调整）" if ticket.deadline_provisional else ""
    return f"【住建局】您反映的问题（{_label(ticket)}）办理期限为 {local}{note}。"
