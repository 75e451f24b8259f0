"""12345 cases (工单, domain.md §4): intake, duplicates (重复件), merging (并单), callbacks (回访).

- Intake is idempotent on `case_no`: the same body again returns the stored case, another body
  for the same number is 409. Every case that is not a duplicate opens a ticket, whatever its type:
  every case has a tracked deadline. A consult the operator answered on the call (`answer`) is met
  at intake: its ticket starts replied and waits for the callback. The caller's contact is encrypted, blind-indexed and masked like a
  rater's. The dispatch moment (clock start) is when the bureau receives the case here.
- Duplicates: a case from the same caller (phone blind index) on the same matter — same main
  department, type and address (or linked service event) — while an earlier one is open attaches
  to it: no new ticket, the original's clock is not restarted, and the response names the
  original's ticket and due date. Without a phone or an address/event nothing can be matched.
- 并单: an operator merges several open cases of the same department and type under a parent;
  each child's ticket is closed with outcome `merged` and the parent's ticket answers for all.
  Every caller (parent, children, duplicates) is listed on the case and told of replies.
- Tags: the model's and, beside them, a human label (operator, supervisor; audited) that wins in
  `effective_tags` and so in the case_tag_* figures, and becomes a training row when retraining.
- Callback: only after a reply (409 before, and again after a reopening until the new reply), for
  a case and for each of its duplicates and merged children alike, once per case and reply (409
  for a second one). When the handling ticket is waiting for confirmation, the callback confirms
  it: satisfied/basic ⇒ closed `resolved`; unsatisfied because of the unit ⇒ reopened with a
  fresh deadline; unsatisfied for reasons outside the unit ⇒ closed, and the callback is marked
  not valid for the unit's 满意率. Callback rates count cases: each with its latest valid callback.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Entry, Scope, department_by_code, record, require_department, subtree_ids
from service.domain.calendar import work_calendar
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.pagination import Page, paginate
from service.domain.privacy import ContactCipher, mask_name, mask_phone
from service.domain.ratings import fingerprint, label_tags
from service.domain.tickets import caller_cases, case_term, new_ticket
from service.models import HotlineCase, ServiceEvent, Ticket, User
from service.models.review import PENDING

CLOCK_SKEW = timedelta(minutes=5)
ANSWERABLE = "consult"  # the type an operator may answer on the call (met at intake)
_SPACES = re.compile(r"\s+")


@dataclass
class CaseView:
    """A case as the API shows it: with its handling ticket and, on reads, every caller."""

    case: HotlineCase
    ticket: Ticket | None
    duplicate_of: HotlineCase | None = None
    callers: list[dict[str, Any]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        if name == "case":  # not set yet (copying, unpickling): do not recurse
            raise AttributeError(name)
        return getattr(self.case, name)


def create_case(
    session: Session, settings: Settings, cipher: ContactCipher, actor: User, data: dict[str, Any], now: datetime
) -> tuple[CaseView, bool]:
    """Returns (view, created)."""
    print_ = fingerprint(data)
    existing = session.scalar(select(HotlineCase).where(HotlineCase.case_no == data["case_no"]))
    if existing is not None:
        return _replay(session, existing, print_), False
    case = _new_case(session, cipher, actor, data, now, print_)
    # A consult answered on the call is its own case, met at intake: never attached as a duplicate.
    original = None if data.get("answer") else _open_original(session, case)
    if original is not None:
        case.duplicate_of_id, case.status = original.id, "duplicate"
        session.add(case)
    else:
        session.add(case)
        session.flush()
        # Every case has a tracked deadline, consult and suggestion included (domain.md §4).
        new_ticket(
            session, settings, work_calendar(session), source="hotline",
            department=case.department, term=case_term(settings, case.type, case.urgency),
            now=now, case=case, actor=actor.name, answer=data.get("answer"),
        )
    session.flush()
    record(session, Entry(
        actor=actor.name, action="case_received", entity_type="hotline_case", entity_id=case.id,
        to_state=case.status, at=now,
        data={"case_no": case.case_no, "type": case.type, "duplicate_of": case.duplicate_of_id},
    ))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the same case_no was stored concurrently: answer as a replay
        existing = session.scalar(select(HotlineCase).where(HotlineCase.case_no == data["case_no"]))
        if existing is None:
            raise
        return _replay(session, existing, print_), False
    return view_of(session, case), True


def _new_case(session, cipher, actor, data, now, print_) -> HotlineCase:
    department = require_department(session, data["department_code"])
    co_codes = list(dict.fromkeys(data.get("co_department_codes") or []))
    for code in co_codes:
        require_department(session, code, field="co_department_codes")
    if data["department_code"] in co_codes:
        raise ValidationFailed("协办单位不能与主办单位相同。", {"co_department_codes": ["协办单位不能与主办单位相同。"]})
    if data.get("answer") and data["type"] != ANSWERABLE:
        raise ValidationFailed("只有咨询件可由话务员当场答复。", {"answer": ["只有咨询件（consult）可当场答复。"]})
    if data["received_at"] > now + CLOCK_SKEW:
        raise ValidationFailed("受理时间不能晚于当前时间。", {"received_at": ["受理时间不能晚于当前时间。"]})
    event = None
    if data.get("event_no"):
        event = session.scalar(select(ServiceEvent).where(ServiceEvent.event_no == data["event_no"]))
        if event is None:
            raise ValidationFailed("关联办件不存在。", {"event_no": ["办件不存在。"]})
    caller = data.get("caller") or {}
    phone = caller.get("phone")
    return HotlineCase(
        case_no=data["case_no"], type=data["type"], urgency=data["urgency"], content=data["content"],
        department=department, department_id=department.id, co_department_codes=co_codes,
        caller_name_enc=cipher.encrypt(caller.get("name")), caller_phone_enc=cipher.encrypt(phone),
        caller_phone_bidx=cipher.phone_index(phone), caller_name_masked=mask_name(caller.get("name")),
        caller_phone_masked=mask_phone(phone), caller_anonymous=bool(caller.get("anonymous", False)),
        address=data.get("address"), received_at=data["received_at"],
        service_event_id=event.id if event else None, status="open", body_fingerprint=print_,
        matter_key=_matter_key(department.id, data["type"], data.get("address"), event),
        created_by_id=actor.id, created_at=now, classification_state=PENDING, effective_tags=",",
    )


def _matter_key(department_id: int, case_type: str, address: str | None, event) -> str | None:
    address = _SPACES.sub("", address or "")
    if not address and event is None:
        return None
    basis = f"{department_id}|{case_type}|{address}|{event.id if event else ''}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _open_original(session: Session, case: HotlineCase) -> HotlineCase | None:
    if not case.caller_phone_bidx or not case.matter_key:
        return None
    return session.scalar(
        select(HotlineCase)
        .where(HotlineCase.caller_phone_bidx == case.caller_phone_bidx,
               HotlineCase.matter_key == case.matter_key, HotlineCase.status == "open")
        .order_by(HotlineCase.id)
        .limit(1)
    )


def _replay(session: Session, existing: HotlineCase, print_: str) -> CaseView:
    if existing.body_fingerprint != print_:
        raise Conflict("工单编号已存在且内容不同。", {"case_no": ["工单编号已存在且内容不同。"]})
    return view_of(session, existing)


def root_case(session: Session, case: HotlineCase) -> HotlineCase:
    """The case whose ticket answers for this one (through duplicates and merges)."""
    seen = set()
    while (case.duplicate_of_id or case.parent_case_id) and case.id not in seen:
        seen.add(case.id)
        case = session.get(HotlineCase, case.duplicate_of_id or case.parent_case_id)
    return case


def handling_ticket(session: Session, case: HotlineCase) -> Ticket | None:
    root = root_case(session, case)
    return session.scalar(select(Ticket).where(Ticket.case_id == root.id))


def view_of(session: Session, case: HotlineCase, with_callers: bool = False) -> CaseView:
    original = session.get(HotlineCase, case.duplicate_of_id) if case.duplicate_of_id else None
    view = CaseView(case, handling_ticket(session, case), original)
    if with_callers:
        root = root_case(session, case)
        view.callers = [_caller(c, root) for c in caller_cases(session, root.id)]
    return view


def _caller(case: HotlineCase, root: HotlineCase) -> dict[str, Any]:
    relation = "self" if case.id == root.id else ("duplicate" if case.duplicate_of_id else "merged")
    return {"case_id": case.id, "case_no": case.case_no, "relation": relation,
            "name": case.caller_name_masked, "phone": case.caller_phone_masked,
            "anonymous": case.caller_anonymous}


def get_case(session: Session, scope: Scope, case_id: int) -> CaseView:
    case = session.get(HotlineCase, case_id)
    if case is None or not _visible(session, scope, case):
        raise NotFound("工单不存在。")
    return view_of(session, case, with_callers=True)


def _visible(session: Session, scope: Scope, case: HotlineCase) -> bool:
    if scope.allows(case.department):
        return True
    co = [department_by_code(session, code) for code in case.co_department_codes or []]
    return any(d is not None and scope.allows(d) for d in co)


def list_cases(session: Session, scope: Scope, filters: dict[str, Any], page: int, per_page: int) -> Page:
    stmt = select(HotlineCase).where(
        HotlineCase.department_id.in_(subtree_ids(session, scope, filters.get("department")))
    )
    for name in ("type", "status", "urgency"):
        if filters.get(name):
            stmt = stmt.where(getattr(HotlineCase, name) == filters[name])
    return paginate(session, stmt.order_by(HotlineCase.id.desc()), page, per_page)


def set_case_tags(session: Session, scope: Scope, case_id: int, tags: list[str], actor: User) -> CaseView:
    """The human label is kept beside the model's and wins wherever tags are counted (as a
    review's, ratings.set_human_tags); a later classification run never overwrites it."""
    view = get_case(session, scope, case_id)
    label_tags(session, view.case, tags, actor, entity_type="hotline_case", action="case_tags_labelled")
    return view
