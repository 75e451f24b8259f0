"""Retention of citizens' contact data (PIPL: kept no longer than needed).

CONTACT_RETENTION_DAYS (default 3 years) after a service event's completion, or a 12345 case's
receipt, the citizen's name and phone number are erased — ciphertext, blind index and masked
forms — and the numbers written inside the free text they left (review text, case content,
callback notes) are replaced by their masked form for good. What the figures need stays: ratings,
levels, options, tags, real-name and anonymous flags, tickets and their deadlines, callbacks.

A record whose ticket is still open keeps its contact data until the ticket closes (the citizen
may still have to be called back); the next run takes it. Audit entries are never touched: they
are kept at least 6 months and never deleted by the application (the database refuses it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Entry, record
from service.domain.privacy.text import mask_free_text
from service.models import HotlineCallback, HotlineCase, Review, ServiceEvent, Ticket

BATCH = 500
_ERASED_EVENT = {"citizen_name_enc": None, "citizen_phone_enc": None, "citizen_phone_bidx": None,
                 "citizen_name_masked": None, "citizen_phone_masked": None}
_ERASED_CASE = {"caller_name_enc": None, "caller_phone_enc": None, "caller_phone_bidx": None,
                "caller_name_masked": None, "caller_phone_masked": None}


def anonymise_contacts(session: Session, settings: Settings, now: datetime, batch: int = BATCH) -> dict[str, Any]:
    """Erase the contact data that outlived CONTACT_RETENTION_DAYS; idempotent, in batches, one
    summary audit entry per run that erased anything."""
    cutoff = now - timedelta(days=settings.contact_retention_days)
    events = _anonymise_events(session, cutoff, now, batch)
    cases = _anonymise_cases(session, cutoff, now, batch)
    if events or cases:
        record(session, Entry(actor="system", action="contacts_anonymised", entity_type="retention",
                              entity_id=cutoff.date().isoformat(), at=now,
                              data={"service_events": events, "hotline_cases": cases,
                                    "retention_days": settings.contact_retention_days}))
        session.commit()
    return {"service_events": events, "hotline_cases": cases, "cutoff": cutoff.isoformat()}


def _anonymise_events(session: Session, cutoff: datetime, now: datetime, batch: int) -> int:
    open_ticket = exists().where(and_(Ticket.review_id == Review.id, Review.service_event_id == ServiceEvent.id,
                                      Ticket.status != "closed"))
    done = 0
    while ids := list(session.scalars(
            select(ServiceEvent.id).where(ServiceEvent.contact_anonymised_at.is_(None),
                                          ServiceEvent.completed_at < cutoff, ~open_ticket)
            .order_by(ServiceEvent.id).limit(batch))):
        session.execute(update(ServiceEvent).where(ServiceEvent.id.in_(ids))
                        .values(**_ERASED_EVENT, contact_anonymised_at=now))
        _mask_column(session, Review, Review.text, Review.service_event_id.in_(ids))
        session.commit()
        done += len(ids)
    return done


def _anonymise_cases(session: Session, cutoff: datetime, now: datetime, batch: int) -> int:
    open_ticket = exists().where(and_(Ticket.case_id == HotlineCase.id, Ticket.status != "closed"))
    done = 0
    while ids := list(session.scalars(
            select(HotlineCase.id).where(HotlineCase.contact_anonymised_at.is_(None),
                                         HotlineCase.received_at < cutoff, ~open_ticket)
            .order_by(HotlineCase.id).limit(batch))):
        session.execute(update(HotlineCase).where(HotlineCase.id.in_(ids))
                        .values(**_ERASED_CASE, contact_anonymised_at=now))
        _mask_column(session, HotlineCase, HotlineCase.content, HotlineCase.id.in_(ids))
        _mask_column(session, HotlineCallback, HotlineCallback.note, HotlineCallback.case_id.in_(ids))
        session.commit()
        done += len(ids)
    return done


def _mask_column(session: Session, model, column, condition) -> None:
    """Replace the numbers inside a text column by their masked form, row by row (Python's rules,
    the same as every response uses), writing only the rows that change."""
    rows = session.execute(select(model.id, column).where(condition, column.is_not(None))).all()
    changed = [{"row_id": row_id, "masked": mask_free_text(value)} for row_id, value in rows
               if mask_free_text(value) != value]
    for item in changed:
        session.execute(update(model).where(model.id == item["row_id"]).values({column.key: item["masked"]}))
