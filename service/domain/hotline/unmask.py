"""Reading a 12345 case in full (domain.md §2): responses show the case content with the numbers
inside it masked and the caller's contact masked; an operator or supervisor calling back may read
both whole, and the reading is audited with the reason given."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.domain.accounts import Entry, Scope, record
from service.domain.hotline.cases import get_case
from service.domain.privacy import ContactCipher
from service.models import User


def unmask_case(session: Session, cipher: ContactCipher, scope: Scope, case_id: int, actor: User,
                reason: str) -> dict:
    case = get_case(session, scope, case_id).case
    record(session, Entry(actor=actor.name, action="case_unmasked", entity_type="hotline_case",
                          entity_id=case.id, note=reason))
    session.commit()
    return {"id": case.id, "content": case.content,
            "caller": {"name": cipher.decrypt(case.caller_name_enc), "phone": cipher.decrypt(case.caller_phone_enc)}}
