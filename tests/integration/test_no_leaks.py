"""A full loop through the API, every response and every log line searched (issue 11, "done
when"): the submitted phone numbers, names, ID-card and bank-card numbers, tokens and passwords
appear nowhere unmasked — except in the one answer that legitimately issues a token (that token
only) and in the audited unmask answers to operators and supervisors.

The loop: register an event with a citizen's name and phone; the citizen rates it with a text
holding a phone, an ID-card and a bank-card number; the bad review opens a ticket; the department
signs and replies (its reply quoting the phone); the citizen confirms with the rate link; a
resend rotates it; a 12345 case with a caller's name and phone and a number in its content;
sign, reply, callback; every list and detail read by every role; exports (CSV, xlsx) and the
public 公示 after two-person approval; the auditor reads the audit log; password logins.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field

import pytest

from service.domain import accounts
from service.logging import build_handler
from service.models import Ticket
from tests.conftest import bearer

CITIZEN_NAME, CITIZEN_PHONE = "司马光明", "13912345678"
TEXT_PHONE, ID_CARD, BANK_CARD = "15800001111", "44030119900101123X", "6222021234567890"
CALLER_NAME, CALLER_PHONE, CONTENT_PHONE = "诸葛小明", "13698765432", "18611112222"
PASSWORD = "密码-Secret-2026"
ROLES = ("admin", "operator", "dept_staff", "supervisor", "auditor", "appraisal", "intake")


@dataclass
class Recorder:
    """Every call goes through here; `allowed` names what that one answer may carry."""

    client: object
    seen: list[tuple[str, str, frozenset]] = field(default_factory=list)

    def __call__(self, method, url, token=None, body=None, allow=(), query=None):
        headers = bearer(token) if token else {}
        kwargs = {"json": body} if body is not None else {}
        response = self.client.open(url, method=method, headers=headers, query_string=query, **kwargs)
        self.seen.append((f"{method} {url} {response.status_code}", texts_of(response), frozenset(allow)))
        return response


def texts_of(response) -> str:
    data = response.get_data()
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(book.read(name).decode("utf-8") for name in book.namelist())
    text = data.decode("utf-8-sig")
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + text + "\n" + json.dumps(json.loads(text), ensure_ascii=False) \
        if response.is_json else headers + "\n" + text


@pytest.fixture
def log_text():
    stream = io.StringIO()
    handler = build_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous, root.level = root.level, logging.DEBUG
    try:
        yield stream.getvalue
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_a_full_loop_leaks_nothing(client, session, depts, make_token, log_text):
    call = Recorder(client)
    tokens = {role: make_token(role, "ZJJ-A" if role == "dept_staff" else None) for role in ROLES}
    staff, operator, supervisor = tokens["dept_staff"], tokens["operator"], tokens["supervisor"]
    secrets = {"citizen name": CITIZEN_NAME, "citizen phone": CITIZEN_PHONE, "phone in text": TEXT_PHONE,
               "id card": ID_CARD, "bank card": BANK_CARD, "caller name": CALLER_NAME,
               "caller phone": CALLER_PHONE, "phone in content": CONTENT_PHONE, "password": PASSWORD,
               **{f"{role} token": token for role, token in tokens.items()}}

    # 办件 registered, rated by the citizen, ticket handled, confirmed with the same link.
    event = call("POST", "/api/v1/service-events", tokens["intake"], {
        "event_no": "LOOP-1", "department_code": "ZJJ-A", "item_name": "物业专项维修资金使用审核",
        "channel": "window", "completed_at": "2026-11-20T10:00:00+08:00",
        "citizen": {"name": CITIZEN_NAME, "phone": CITIZEN_PHONE, "real_name": True}}, allow={"rate token"})
    event = event.get_json()
    secrets["rate token"] = event["rate_token"]
    text = f"拖了三个月！电话{TEXT_PHONE}，身份证{ID_CARD}，退款卡号{BANK_CARD}"
    review = call("POST", "/api/v1/reviews", None, {"rate_token": event["rate_token"], "level": 1,
                                                    "channel": "mobile", "options": ["overdue"], "text": text})
    assert review.status_code == 201, review.get_json()
    ticket_id = session.query(Ticket).one().id
    actions = f"/api/v1/tickets/{ticket_id}/actions"
    call("POST", actions, staff, {"action": "sign"})
    call("POST", actions, staff, {"action": "reply", "resolution": "immediate",
                                  "content": f"已致电{TEXT_PHONE}并整改"})
    confirmed = call("POST", actions, None, {"action": "confirm", "satisfied": True, "rate_token": event["rate_token"]})
    assert confirmed.get_json()["status"] == "closed"
    resent = call("POST", f"/api/v1/service-events/{event['id']}/resend", operator, allow={"resent token"})
    secrets["resent token"] = resent.get_json()["rate_token"]

    # A 12345 case with a caller, handled and called back.
    case = call("POST", "/api/v1/hotline/cases", operator, {
        "case_no": "12345-LOOP", "type": "complaint", "urgency": "normal",
        "content": f"楼上漏水，物业不管，回电{CONTENT_PHONE}", "department_code": "ZJJ-A",
        "caller": {"name": CALLER_NAME, "phone": CALLER_PHONE, "anonymous": False},
        "address": "和平路 8 号", "received_at": "2026-11-23T09:00:00+08:00"}).get_json()
    case_actions = f"/api/v1/tickets/{case['ticket_id']}/actions"
    call("POST", case_actions, staff, {"action": "sign"})
    call("POST", case_actions, staff, {"action": "reply", "resolution": "immediate", "content": "已维修"})
    call("POST", f"/api/v1/hotline/cases/{case['id']}/callback", operator,
         {"solved": True, "satisfaction": "satisfied", "note": f"回访{CALLER_PHONE}满意"})

    # Audited unmasking: these answers may show what they reveal, to these roles only.
    contact = {"citizen name", "citizen phone"}
    call("POST", f"/api/v1/service-events/{event['id']}/unmask", operator, {"reason": "差评回访"}, allow=contact)
    call("POST", f"/api/v1/reviews/{review.get_json()['id']}/unmask", supervisor, {"reason": "核实"},
         allow={"phone in text", "id card", "bank card"})
    call("POST", f"/api/v1/hotline/cases/{case['id']}/unmask", operator, {"reason": "回访"},
         allow={"caller name", "caller phone", "phone in content"})

    # Every read, by every role.
    reads = ["/api/v1/service-events/{}".format(event["id"]), "/api/v1/reviews",
             f"/api/v1/reviews/{review.get_json()['id']}", "/api/v1/tickets", f"/api/v1/tickets/{ticket_id}",
             f"/api/v1/tickets/{case['ticket_id']}", "/api/v1/hotline/cases", f"/api/v1/hotline/cases/{case['id']}",
             "/api/v1/audit?per_page=200", "/api/v1/departments", "/api/v1/admin/calendar"]
    for token in tokens.values():
        for url in reads:
            call("GET", url, token)
        for export in ("/api/v1/indicators", "/api/v1/indicators.csv", "/api/v1/indicators.xlsx"):
            call("GET", export, token, query={"period": "2026-11"})

    # 公示 after two-person approval, and its public forms.
    other_supervisor = make_token("supervisor")
    draft = call("POST", "/api/v1/publications", supervisor, {"period": "2026-11"}).get_json()
    call("POST", f"/api/v1/publications/{draft['id']}/approve", other_supervisor)
    for url in ("/api/v1/public/indicators", "/api/v1/public/indicators.csv"):
        call("GET", url, query={"period": "2026-11"})
    call("GET", f"/api/v1/publications/{draft['id']}", supervisor)

    # Password logins: a wrong one, then the right one (that answer issues a token).
    accounts.create_user(session, "loop-user", "operator", password=PASSWORD)
    call("POST", "/api/v1/auth/login", None, {"name": "loop-user", "password": PASSWORD + "x"})
    login = call("POST", "/api/v1/auth/login", None, {"name": "loop-user", "password": PASSWORD},
                 allow={"login token"})
    secrets["login token"] = login.get_json()["token"]

    leaks = [f"{label}: {what}" for label, body, allowed in call.seen
             for what, value in secrets.items() if value in body and what not in allowed]
    assert not leaks, "\n".join(leaks)
    assert len(call.seen) > 100
    unmasked = [label for label, body, allowed in call.seen if allowed and any(
        secrets[what] in body for what in allowed)]
    assert len(unmasked) == 6  # the token issues and the three unmask answers did carry them
    logged = log_text()
    assert logged.count("\n") >= 3  # the loop did log (SMS notices, classification), each line searched
    assert not [what for what, value in secrets.items() if value in logged], logged
