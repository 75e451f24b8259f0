"""The citizen's API and pages never show staff account names, internal notes, extension or appeal
reasons and evidence, history actors, or anyone else's data: every one used in the scenario is
searched for in every answer the citizen's link gives."""

from __future__ import annotations

from datetime import datetime, timezone

from service.models import Ticket, User
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)

SECRETS = {
    "sign": "签收备注：该市民多次来访-甲",
    "extension": "延期理由：等待监理单位意见-乙",
    "extension_decision": "同意延期，督办说明-丙",
    "appeal_evidence": "申诉证据：窗口录像显示已告知-丁",
    "appeal_decision": "申诉不成立，督办意见-戊",
}


def act(client, ticket_id, token, **body):
    response = client.post(f"/api/v1/tickets/{ticket_id}/actions", json=body, headers=bearer(token))
    assert response.status_code == 200, response.get_json()


def test_nothing_internal_reaches_the_citizen(client, register_event, make_token, session, time_machine):
    time_machine.move_to(NOW, tick=False)
    mine = register_event(department="ZJJ-A")
    other = register_event(department="ZJJ-A", citizen={"name": "李四", "phone": "13900139000", "real_name": True})
    token = mine["rate_token"]
    client.post(f"/rate/{token}", data={"kind": "first", "level": "1", "options": ["bad_attitude"],
                                        "text": "窗口态度很差"})
    client.post(f"/rate/{other['rate_token']}", data={"kind": "first", "level": "2", "options": ["overdue"],
                                                      "text": "别人的差评原文-己"})
    ticket = session.query(Ticket).order_by(Ticket.id).first()
    staff, supervisor = make_token("dept_staff", "ZJJ-A"), make_token("supervisor")
    act(client, ticket.id, staff, action="sign", note=SECRETS["sign"])
    act(client, ticket.id, staff, action="request_extension", working_days=3, reason=SECRETS["extension"])
    act(client, ticket.id, supervisor, action="decide_extension", approve=True, note=SECRETS["extension_decision"])
    act(client, ticket.id, staff, action="appeal", reason="mistaken", evidence=SECRETS["appeal_evidence"])
    act(client, ticket.id, supervisor, action="decide_appeal", upheld=False, note=SECRETS["appeal_decision"])
    act(client, ticket.id, staff, action="reply", resolution="explained", content="公开的答复正文")

    answers = {
        "api": client.get(f"/api/v1/rate/{token}"),
        "page": client.get(f"/rate/{token}"),
        "thanks": client.get(f"/rate/{token}/thanks"),
    }
    staff_names = [name for (name,) in session.query(User.name)]
    forbidden = [*SECRETS.values(), *staff_names, "mistaken", "李四", "张三", "13900139000", "13800138000",
                 "别人的差评原文-己", other["rate_token"], mine["event_no"], other["event_no"], "ZJJ-A"]
    for where, response in answers.items():
        assert response.status_code == 200, where
        text = response.get_data(as_text=True)
        assert "公开的答复正文" in text or where == "thanks", where
        leaked = [word for word in forbidden if word in text]
        assert not leaked, f"{where} shows {leaked}"
