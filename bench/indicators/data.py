"""The benchmark's data, generated inside PostgreSQL with INSERT … SELECT over generate_series
(no round trip per row): departments, service events, ratings, tickets, 12345 cases, callbacks.

Every NOT NULL column the statements below do not set is filled from the model's own default, so
the generator keeps working when another team adds a column with a default.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Table

from service.models import HotlineCallback, HotlineCase, Review, ServiceEvent, Ticket

YEAR_START = "2025-11-01 00:00+08"  # twelve closed months: 2025-11 … 2026-10


def _filler(table: Table, given: set[str]) -> tuple[list[str], list[str]]:
    """Columns the statement leaves out but that may not be NULL, with a literal default."""
    names, values = [], []
    for column in table.columns:
        if column.name in given or column.nullable or column.primary_key:
            continue
        default = column.default.arg if column.default is not None else None
        if callable(default):
            try:
                default = default()
            except TypeError:
                default = default(None)
        if isinstance(default, datetime):
            literal = "now()"
        elif isinstance(default, bool):
            literal = "true" if default else "false"
        elif isinstance(default, (int, float)):
            literal = str(default)
        elif isinstance(default, (list, dict)):
            literal = f"'{json.dumps(default)}'::jsonb"
        elif isinstance(default, str):
            literal = "'" + default.replace("'", "''") + "'"
        else:
            raise RuntimeError(f"{table.name}.{column.name}: NOT NULL without a usable default")
        names.append(column.name)
        values.append(literal)
    return names, values


def insert_select(conn: Connection, table: Table, columns: dict[str, str], source: str,
                  params: dict | None = None) -> int:
    """INSERT INTO table (columns + defaults) SELECT expressions FROM source."""
    extra_names, extra_values = _filler(table, set(columns))
    names = list(columns) + extra_names
    values = list(columns.values()) + extra_values
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} FROM {source}"
    return conn.execute(text(sql), params or {}).rowcount


def departments(conn: Connection, count: int) -> None:
    """A root, 19 sections and units under them: three levels, `count` departments in all."""
    sections = 19
    conn.execute(text("INSERT INTO departments (id, code, name, parent_id, path, created_at) "
                      "VALUES (1, 'B', '基准住建局', NULL, '/B/', now())"))
    conn.execute(text(
        "INSERT INTO departments (id, code, name, parent_id, path, created_at) "
        "SELECT 1 + s, 'B-' || s, '科室' || s, 1, '/B/B-' || s || '/', now() "
        "FROM generate_series(1, :n) s"), {"n": sections})
    conn.execute(text(
        "INSERT INTO departments (id, code, name, parent_id, path, created_at) "
        "SELECT 1 + :sections + u, 'B-' || p || '-' || u, '单位' || u, 1 + p, "
        "'/B/B-' || p || '/B-' || p || '-' || u || '/', now() "
        "FROM generate_series(1, :units) u, LATERAL (SELECT 1 + (u % :sections) AS p) x"),
        {"sections": sections, "units": count - 1 - sections})
    conn.execute(text("SELECT setval(pg_get_serial_sequence('departments', 'id'), :n)"), {"n": count})


def events(conn: Connection, first_id: int, count: int, departments_: int, start: str,
           days: float) -> int:
    source = (f"(SELECT g, 1 + floor(random() * {departments_})::int AS dept, "
              f"timestamptz '{start}' + random() * interval '{days} days' AS ts, random() AS r "
              f"FROM generate_series({first_id}, {first_id + count - 1}) g) s")
    return insert_select(conn, ServiceEvent.__table__, {
        "id": "g", "event_no": "'B' || g", "department_id": "dept", "item_name": "'基准事项'",
        "channel": "'window'", "completed_at": "ts", "rate_token_hash": "md5('bt' || g)",
        "rate_token_expires_at": "ts + interval '90 days'", "citizen_real_name": "r < 0.3",
        "body_fingerprint": "'x'", "created_at": "ts",
    }, source)


_LEVEL = ("CASE WHEN r < 0.05 THEN 1 WHEN r < 0.12 THEN 2 WHEN r < 0.25 THEN 3 "
          "WHEN r < 0.5 THEN 4 ELSE 5 END")
_TAGS = ("CASE WHEN t < 0.3 THEN ',delay,' WHEN t < 0.45 THEN ',quality,' "
         "WHEN t < 0.6 THEN ',attitude,' WHEN t < 0.7 THEN ',delay,attitude,' ELSE ',' END")


def reviews(conn: Connection, first_event: int, last_event: int, rated_share: float,
            follow_up_every: int) -> int:
    """Primary ratings on a share of the events, and follow-ups on every n-th rated event."""
    source = (f"(SELECT e.id, e.department_id, e.completed_at, e.citizen_real_name, "
              f"random() AS r, random() AS t, random() AS d, random() AS x FROM service_events e "
              f"WHERE e.id BETWEEN {first_event} AND {last_event}) s "
              f"WHERE (hashtext(s.id::text) & 1023) < {int(rated_share * 1024)}")
    review_columns = {
        "service_event_id": "s.id", "department_id": "s.department_id", "seq": "0",
        "level": _LEVEL, "is_bad": "r < 0.12", "channel": "'miniprogram'", "options": "'[]'::jsonb",
        "options_version": "'bench'", "is_default": "d < 0.03", "real_name": "s.citizen_real_name",
        "created_at": "s.completed_at + d * interval '3 days'",
        "excluded": "r < 0.12 AND x < 0.02", "effective_tags": f"CASE WHEN r < 0.12 THEN {_TAGS} ELSE ',' END",
        "classification_state": "'done'", "ticket_state": "'not_needed'",
    }
    n = insert_select(conn, Review.__table__, review_columns, source)
    follow = dict(review_columns, seq="1", level="CASE WHEN x < 0.5 THEN 4 ELSE 2 END",
                  is_bad="x >= 0.5", is_default="false", excluded="false",
                  created_at="s.completed_at + interval '5 days'")
    n += insert_select(conn, Review.__table__, follow,
                       source + f" AND s.id % {follow_up_every} = 0")
    return n


def _ticket_columns(start: str) -> dict[str, str]:
    """Ticket life from its start `start` (an SQL expression), with random outcomes."""
    return {
        "department_id": "s.department_id", "dispatched_at": start,
        "clock_started_at": start,
        "sign_due_at": f"{start} + interval '1 day'",
        "sign_yellow_from": start, "sign_notice_at": f"{start} + interval '1 day'",
        "sign_escalate_at": f"{start} + interval '8 days'",
        "signed_at": f"CASE WHEN a < 0.9 THEN {start} + a * interval '30 hours' END",
        "due_at": f"{start} + interval '21 days'", "period_due_at": f"{start} + interval '21 days'",
        "yellow_from": f"{start} + interval '20 days'",
        "notice_at": f"{start} + interval '22 days'",
        "escalate_at": f"{start} + interval '28 days'",
        "replied_at": f"CASE WHEN b < 0.85 THEN {start} + interval '10 days' END",
        "replied_late": "false",
        "status": "CASE WHEN b < 0.7 THEN 'closed' WHEN b < 0.85 THEN 'replied' ELSE 'handling' END",
        "outcome": "CASE WHEN b < 0.65 THEN 'resolved' WHEN b < 0.7 THEN 'verified_by_supervisor' END",
        "closed_at": f"CASE WHEN b < 0.7 THEN {start} + c * interval '25 days' END",
        "closed_on_time": "CASE WHEN b < 0.7 THEN c * 25 <= 21 END",
        "created_at": start, "updated_at": start,
    }


def review_tickets(conn: Connection) -> int:
    source = ("(SELECT r.id, r.department_id, r.created_at, r.real_name, random() AS a, "
              "random() AS b, random() AS c FROM reviews r WHERE r.seq = 0 AND r.is_bad) s")
    columns = _ticket_columns("s.created_at")
    columns.update(source="'review'", review_id="s.id",
                   verified_at="CASE WHEN s.real_name AND a < 0.8 THEN s.created_at + interval '8 hours' END")
    return insert_select(conn, Ticket.__table__, columns, source)


def hotline(conn: Connection, count: int, departments_: int) -> dict[str, int]:
    source = (f"(SELECT g, 1 + floor(random() * {departments_})::int AS dept, "
              f"timestamptz '{YEAR_START}' + random() * interval '365 days' AS ts, random() AS r, "
              f"random() AS t FROM generate_series(1, {count}) g) s")
    cases = insert_select(conn, HotlineCase.__table__, {
        "id": "g", "case_no": "'H' || g", "department_id": "dept", "received_at": "ts",
        "type": "CASE WHEN r < 0.35 THEN 'complaint' WHEN r < 0.45 THEN 'report' "
                "WHEN r < 0.65 THEN 'help' WHEN r < 0.9 THEN 'consult' ELSE 'suggestion' END",
        "content": "'诉求内容'", "duplicate_of_id": "CASE WHEN t < 0.05 AND g > 1 THEN g - 1 END",
        "effective_tags": _TAGS, "body_fingerprint": "'x'", "created_at": "ts",
        "classification_state": "'done'",
    }, source)
    conn.execute(text("SELECT setval(pg_get_serial_sequence('hotline_cases', 'id'), :n)"), {"n": count})
    ticket_source = ("(SELECT c.id, c.department_id, c.received_at, random() AS a, random() AS b, "
                     "random() AS c FROM hotline_cases c WHERE c.duplicate_of_id IS NULL) s")  # every type
    columns = _ticket_columns("s.received_at")
    columns.update(source="'hotline'", case_id="s.id")
    tickets = insert_select(conn, Ticket.__table__, columns, ticket_source)
    callback_source = ("(SELECT t.case_id, t.department_id, t.closed_at, random() AS r "
                       "FROM tickets t WHERE t.source = 'hotline' AND t.status = 'closed') s")
    callbacks = insert_select(conn, HotlineCallback.__table__, {
        "case_id": "s.case_id", "department_id": "s.department_id", "solved": "r < 0.75",
        "satisfaction": "CASE WHEN r < 0.6 THEN 'satisfied' WHEN r < 0.85 THEN 'basic' ELSE 'unsatisfied' END",
        "unit_at_fault": "r >= 0.85", "valid": "r < 0.97", "created_at": "s.closed_at + interval '1 day'",
    }, callback_source)
    return {"cases": cases, "case_tickets": tickets, "callbacks": callbacks}
