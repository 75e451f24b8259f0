"""The citizen's rating in one round trip (PostgreSQL): the hot path of intake.

One statement finds the event by the hash of its rate token, checks the rating window, inserts the
review (一事一评 is the unique (service_event_id, seq) constraint) and the event's rollup day mark,
and returns the new id with the event number; it runs in autocommit, so it is also the commit. No
ORM unit of work, no pre-ping: a connection dropped under the statement (PostgreSQL restarted) is
retried once on a fresh one.

The stored row with its `pending` states is the durable job record: classification and ticket
opening are handed out by the dispatcher (workers/dispatch.py), never on this path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Integer, SmallInteger, String, Text, bindparam, func, insert, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from service.models import Review, ServiceEvent
from service.models.rollup import RollupDirty
from service.models.types import UTCDateTime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AcceptedReview:
    """What the caller of intake needs of a stored review: the 201's fields and the pipeline states."""

    id: int
    event_no: str
    real_name: bool
    level: int
    is_bad: bool
    follow_up: bool
    classification_state: str
    ticket_state: str
    text: str | None = None
    seq: int = 0  # the one-statement path stores primary ratings only


def supports_one_statement(engine: Engine) -> bool:
    # SQLite cannot put an INSERT inside a WITH; the embedded mode keeps the ORM path.
    return engine.dialect.name == "postgresql"


@cache
def _statement():
    """WITH e AS (event by token hash, window open), ins AS (INSERT … SELECT … FROM e RETURNING),
    mark AS (INSERT INTO rollup_dirty the event's completion day) SELECT id, event_no.

    Built once: SQLAlchemy caches its compiled form, so each request only binds parameters."""
    events, reviews = ServiceEvent.__table__, Review.__table__
    e = (
        select(events.c.id, events.c.department_id, events.c.event_no, events.c.citizen_real_name,
               events.c.completed_at)
        .where(events.c.rate_token_hash == bindparam("token_hash", type_=String()),
               events.c.rate_token_expires_at > bindparam("now", type_=UTCDateTime()))
        .cte("e")
    )
    values: dict[str, Any] = {
        "service_event_id": e.c.id,
        "department_id": e.c.department_id,
        "seq": literal(0, SmallInteger()),
        "level": bindparam("level", type_=SmallInteger()),
        "is_bad": bindparam("is_bad", type_=Boolean()),
        "channel": bindparam("channel", type_=String()),
        "options": bindparam("options", type_=reviews.c.options.type),
        "options_version": bindparam("options_version", type_=String()),
        "text": bindparam("text", type_=Text()),
        "is_default": literal(False, Boolean()),
        "real_name": e.c.citizen_real_name & bindparam("real_name_allowed", type_=Boolean()),
        "created_at": bindparam("now", type_=UTCDateTime()),
        "excluded": literal(False, Boolean()),
        "mismatch": literal(False, Boolean()),
        "effective_tags": bindparam("effective_tags", type_=String()),
        "classification_state": bindparam("classification_state", type_=String()),
        "classification_attempts": literal(0, Integer()),
        "ticket_state": bindparam("ticket_state", type_=String()),
    }
    ins = (
        insert(reviews)
        .from_select(list(values), select(*values.values()))
        .returning(reviews.c.id, reviews.c.service_event_id, reviews.c.real_name)
        .cte("ins")
    )
    # The rollup write hook of service/models/rollup.py sees only ORM flushes: mark the event's
    # completion day here, in the same statement, so the indicators stay exact whatever the id
    # watermark of the refresh job sees (the rating's own day is today, always recomputed).
    day = func.date(func.timezone("Asia/Shanghai", e.c.completed_at))
    mark = (
        insert(RollupDirty.__table__)
        .from_select(["day"], select(day).select_from(e).join(ins, ins.c.service_event_id == e.c.id))
        .cte("mark")
    )
    # add_cte: PostgreSQL runs a data-modifying WITH to completion even though nothing reads it.
    return (select(ins.c.id, e.c.event_no, ins.c.real_name)
            .join(e, ins.c.service_event_id == e.c.id).add_cte(mark))


@cache
def _own_row():
    """After a retry ran into 一事一评: is the stored primary rating the one the first try committed?"""
    events, reviews = ServiceEvent.__table__, Review.__table__
    return (
        select(reviews.c.id, events.c.event_no, reviews.c.real_name, reviews.c.created_at, reviews.c.level)
        .join(events, events.c.id == reviews.c.service_event_id)
        .where(events.c.rate_token_hash == bindparam("token_hash", type_=String()), reviews.c.seq == 0)
    )


def insert_primary_rating(engine: Engine, params: dict[str, Any]) -> AcceptedReview | None:
    """Run the one statement; None when the token is unknown, rotated or past its window.

    Raises IntegrityError when the event is already rated, and DBAPIError when the database cannot
    be reached (twice in a row)."""
    try:
        row = _run(engine, _statement(), params)
    except _Retried as retried:
        try:
            row = _run(engine, _statement(), params, retry=False)
        except IntegrityError:
            # The first try may have committed before its connection dropped: that row is ours.
            own = _run(engine, _own_row(), params, retry=False)
            if own is None or own.created_at != params["now"] or own.level != params["level"]:
                raise
            log.info("rating for event %s was committed before the connection dropped", own.event_no)
            row = (own.id, own.event_no, own.real_name)
        log.info("rating stored after reconnecting: %s", retried.__cause__)
    if row is None:
        return None
    return AcceptedReview(
        id=row[0], event_no=row[1], real_name=row[2], level=params["level"], is_bad=params["is_bad"],
        follow_up=False,
        classification_state=params["classification_state"], ticket_state=params["ticket_state"],
        text=params["text"],
    )


class _Retried(Exception):
    """The connection dropped under the statement; the caller runs it once more."""


@cache
def _compiled(stmt, dialect) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The statement's SQL for this dialect, the bind processors of its parameters and the
    processed values of its constants (literals), computed once.

    Executed as driver SQL: SQLAlchemy's cache-key walk and parameter construction, per request,
    cost more CPU than the rest of the statement's client side (issue 13's profile)."""
    compiled = stmt.compile(dialect=dialect)
    processors = {}
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    constants = {name: processors[name](value) if name in processors else value
                 for name, value in compiled.params.items() if not compiled.binds[name].required}
    return compiled.string, processors, constants


def _run(engine: Engine, stmt, params: dict[str, Any], retry: bool = True):
    sql, processors, constants = _compiled(stmt, engine.dialect)
    args = {**constants, **{k: processors[k](v) if k in processors else v for k, v in params.items()}}
    try:
        # Autocommit: the statement is its own transaction, one round trip, no BEGIN/COMMIT.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.exec_driver_sql(sql, args).first()
    except DBAPIError as exc:
        # connection_invalidated: SQLAlchemy saw a disconnect and dropped the pool's stale
        # connections, so the second try gets a fresh one.
        if retry and exc.connection_invalidated and not isinstance(exc, IntegrityError):
            raise _Retried() from exc
        raise


def params_for(token_hash: str, now: datetime, level: int, is_bad: bool, data: dict, options: list,
               options_version: str, effective_tags: str, classification_state: str,
               ticket_state: str, real_name_allowed: bool = True) -> dict[str, Any]:
    return {
        "token_hash": token_hash, "now": now, "level": level, "is_bad": is_bad,
        "channel": data["channel"], "options": options, "options_version": options_version,
        "text": data.get("text"), "effective_tags": effective_tags,
        "classification_state": classification_state, "ticket_state": ticket_state,
        "real_name_allowed": real_name_allowed,
    }

