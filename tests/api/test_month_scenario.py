"""One month, two departments, every figure of /indicators and /appraisal/scores by hand (issue 9,
"Done when").

November 2026 (no holiday; Mondays 2, 9, 16, 23, 30) for ZJJ-A (物业管理科) and ZJJ-B (政务服务科),
built through the real domain paths with injected times: registration, ratings, default ratings,
ticket actions, 12345 intake with duplicates, callbacks, then a publication with an accepted
appeal. The figures are read over HTTP at NOW, Friday 4 December 10:00 (Shanghai), and compared
with values computed by hand below. Deadlines: 差评 and complaint 15 working days, consult 2,
sign-for and verification 1 — the end of the n-th working day after the dispatch day.

ZJJ-A — events EA1..EA7 (completed 2–9 Nov):
  EA1 ★5.  EA5 ★4.  EA7 ★3.  EA6 never rated: a default ★3 on 20 Nov (not active).
  EA2 ★1 real-name, 办理超时 (delay), 2 Nov 11:00 → TA2: sign by end 3 Nov (signed 2 Nov ✓),
      verified 3 Nov ✓, due end 23 Nov, replied 20 Nov ✓, confirmed by the citizen 27 Nov — late
      confirmation, still on time and not overdue (the clock stopped at the reply).
  EA3 ★2 态度差 (attitude), 3 Nov → TA3: sign by end 4 Nov, signed 5 Nov ✗; due end 24 Nov,
      replied 25 Nov (late ⇒ overdue), confirmed: rectified, not on time.
  EA4 ★1 质量问题 (quality), 4 Nov → TA4: signed ✓, replied 10 Nov, rejected 12 Nov (重办): fresh
      deadline end 3 Dec, no new reply by NOW ⇒ overdue — counted in November, the period of its
      original deadline (end 25 Nov); due there, not rectified.
  12345 complaint CA1 (2 Nov 14:00) → TC1: signed ✓, due end 23 Nov, replied 20 Nov; duplicates CA2
      (5 Nov) and CA3 (6 Nov) from the same caller. Callbacks: CA1 23 Nov 不满意 ⇒ reopened (fresh
      deadline end 14 Dec), replied again 26 Nov ⇒ CA1 27 Nov solved 满意 (closes it); CA2 27 Nov
      not solved 基本满意. Two cases called back; CA1 counts once, with its latest callback.
  12345 consult QA1 (16 Nov 10:00) → TQ1: sign by end 17 Nov (signed ✓), due end 18 Nov, replied
      19 Nov ⇒ overdue.
ZJJ-B — events EB1..EB5:
  EB1 ★5.  EB5 ★4.  EB4 never rated: default ★3 on 20 Nov.
  EB2 ★2 real-name, 多次跑动 (delay), 3 Nov → TB2: signed ✓, never verified; due end 24 Nov,
      extended by 3 working days to end 27 Nov, replied 26 Nov (on time), closed by a supervisor's
      verification 30 Nov.
  EB3 ★1, 4 Nov → TB3: never signed, never replied: due end 25 Nov ⇒ overdue.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain import accounts, hotline, ratings, tickets
from service.domain.privacy import ContactCipher
from service.models import User
from tests.conftest import bearer

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SH)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


class Month:
    """The scenario's people and the domain calls, each at its own moment."""

    def __init__(self, app, session):
        self.session, self.settings = session, app.extensions["settings"]
        self.cipher = ContactCipher(self.settings.contact_key, self.settings.blind_index_key)
        self.catalog = ratings.load_catalog(self.settings.rating_options_file)
        self.env = tickets.TicketEnv(self.settings, self.cipher)
        self.users = {name: accounts.create_user(session, name, role, dept)[0] for name, role, dept in (
            ("intake", "intake", None), ("op", "operator", None), ("sup", "supervisor", None),
            ("staff_a", "dept_staff", "ZJJ-A"), ("staff_b", "dept_staff", "ZJJ-B"))}
        self.n = 0

    def user(self, name: str) -> User:
        return self.session.get(User, self.users[name].id)

    def event(self, dept: str, completed: datetime, real_name: bool = False) -> dict:
        self.n += 1
        data = {"event_no": f"NOV-{self.n:02d}", "department_code": dept, "item_name": "物业服务事项",
                "channel": "window", "completed_at": completed,
                "citizen": {"name": "赵六", "phone": f"1380013{self.n:04d}", "real_name": real_name}}
        event, _ = ratings.register_service_event(self.session, self.settings, self.cipher, self.user("intake"),
                                                  data, completed + timedelta(hours=1))
        return {"event_no": event.event_no, "rate_token": event.rate_token}

    def rate(self, event: dict, level: int, when: datetime, options=()) -> int | None:
        """The rating; for a 差评 the ticket is opened at once (the job's domain call). -> ticket id"""
        data = {"rate_token": event["rate_token"], "level": level, "channel": "miniprogram",
                "options": list(options)}
        review, _ = ratings.submit_review(self.session, self.settings, self.catalog, data, when)
        if level > 2:
            return None
        return tickets.open_ticket_for_review(self.session, self.settings, review.id, when)["ticket_id"]

    def act(self, ticket_id: int, who: str, when: datetime, **data) -> None:
        actor = tickets.CITIZEN if who == "citizen" else tickets.Actor.of(self.user(who))
        tickets.perform_action(self.session, self.env, ticket_id, data, actor, when)

    def case(self, case_no: str, type_: str, when: datetime, phone: str, address: str):
        data = {"case_no": case_no, "type": type_, "urgency": "normal", "content": "小区电梯长期停运",
                "department_code": "ZJJ-A", "caller": {"phone": phone, "anonymous": False},
                "address": address, "received_at": when}
        return hotline.create_case(self.session, self.settings, self.cipher, self.user("op"), data, when)[0]

    def callback(self, case_id: int, when: datetime, solved: bool, satisfaction: str) -> None:
        hotline.record_callback(self.session, self.env, self.user("op"), case_id,
                                {"solved": solved, "satisfaction": satisfaction}, when)


def build(m: Month) -> None:
    # ---- ZJJ-A: ratings and 差评 tickets
    m.rate(m.event("ZJJ-A", at(11, 2, 9)), 5, at(11, 2, 10))                          # EA1
    ea2 = m.event("ZJJ-A", at(11, 2, 9), real_name=True)
    ta2 = m.rate(ea2, 1, at(11, 2, 11), ["overdue"])                                   # EA2 → TA2
    ea3 = m.event("ZJJ-A", at(11, 3, 9))
    ta3 = m.rate(ea3, 2, at(11, 3, 10), ["bad_attitude"])                              # EA3 → TA3
    ea4 = m.event("ZJJ-A", at(11, 4, 9))
    ta4 = m.rate(ea4, 1, at(11, 4, 10), ["quality_problem"])                           # EA4 → TA4
    m.rate(m.event("ZJJ-A", at(11, 5, 9)), 4, at(11, 5, 10))                          # EA5
    m.event("ZJJ-A", at(11, 6, 9))                                                     # EA6: unrated
    m.rate(m.event("ZJJ-A", at(11, 9, 9)), 3, at(11, 9, 10))                          # EA7
    # ---- ZJJ-B
    m.rate(m.event("ZJJ-B", at(11, 2, 9)), 5, at(11, 3, 10))                          # EB1
    tb2 = m.rate(m.event("ZJJ-B", at(11, 3, 9), real_name=True), 2, at(11, 3, 14), ["repeated_visits"])
    m.rate(m.event("ZJJ-B", at(11, 4, 9)), 1, at(11, 4, 10))                        # EB3 → TB3, untouched
    m.event("ZJJ-B", at(11, 10, 9))                                                    # EB4: unrated
    m.rate(m.event("ZJJ-B", at(11, 11, 9)), 4, at(11, 12, 10))                        # EB5
    defaults = replace(m.settings, default_rating_enabled=True)
    assert ratings.apply_default_ratings(m.session, defaults, m.catalog, at(11, 20, 10)) == 2  # EA6, EB4

    # ---- the tickets' lives
    m.act(ta2, "staff_a", at(11, 2, 15), action="sign")
    m.act(ta2, "op", at(11, 3, 10), action="verify")
    m.act(ta2, "staff_a", at(11, 20, 10), action="reply", resolution="immediate", content="已约谈并整改")
    m.act(ta2, "citizen", at(11, 27, 10), action="confirm", satisfied=True, rate_token=ea2["rate_token"])
    m.act(ta3, "staff_a", at(11, 5, 9), action="sign")
    m.act(ta3, "staff_a", at(11, 25, 10), action="reply", resolution="explained", content="已说明")
    m.act(ta3, "citizen", at(11, 25, 12), action="confirm", satisfied=True, rate_token=ea3["rate_token"])
    m.act(ta4, "staff_a", at(11, 4, 11), action="sign")
    m.act(ta4, "staff_a", at(11, 10, 10), action="reply", resolution="scheduled", content="已列入台账")
    m.act(ta4, "citizen", at(11, 12, 10), action="confirm", satisfied=False, rate_token=ea4["rate_token"])
    m.act(tb2, "staff_b", at(11, 4, 10), action="sign")
    m.act(tb2, "staff_b", at(11, 20, 10), action="request_extension", working_days=3, reason="等待检测报告")
    m.act(tb2, "sup", at(11, 20, 11), action="decide_extension", approve=True)
    m.act(tb2, "staff_b", at(11, 26, 10), action="reply", resolution="immediate", content="已整改")
    m.act(tb2, "sup", at(11, 30, 10), action="confirm", satisfied=True, note="评价人无法接通，现场核实已整改")

    # ---- 12345 for ZJJ-A
    ca1 = m.case("12345-A1", "complaint", at(11, 2, 14), "13900139000", "幸福路 1 号")
    ca2 = m.case("12345-A2", "complaint", at(11, 5, 10), "13900139000", "幸福路 1 号")
    ca3 = m.case("12345-A3", "complaint", at(11, 6, 10), "13900139000", "幸福路 1 号")
    assert ca2.duplicate_of.id == ca1.id and ca3.duplicate_of.id == ca1.id
    tc1 = ca1.ticket.id
    m.act(tc1, "staff_a", at(11, 3, 9), action="sign")
    m.act(tc1, "staff_a", at(11, 20, 10), action="reply", resolution="scheduled", content="已责令维修")
    m.callback(ca1.id, at(11, 23, 10), False, "unsatisfied")                            # 重办
    m.act(tc1, "staff_a", at(11, 26, 10), action="reply", resolution="immediate", content="电梯已修复")
    m.callback(ca1.id, at(11, 27, 10), True, "satisfied")
    m.callback(ca2.id, at(11, 27, 11), False, "basic")
    qa1 = m.case("12345-Q1", "consult", at(11, 16, 10), "13700137000", "和平路 8 号")
    m.act(qa1.ticket.id, "staff_a", at(11, 17, 9), action="sign")
    m.act(qa1.ticket.id, "staff_a", at(11, 19, 10), action="reply", resolution="explained", content="已解答")


def rate(value, numerator, denominator):
    return {"value": value, "numerator": numerator, "denominator": denominator}


def empty_rate():
    return rate(None, 0, 0)


EXPECTED = {
    "ZJJ-A": {
        "reviews_total": 7, "reviews_active": 6, "reviews_valid": 7, "reviews_excluded": 0,
        "follow_up_reviews": 0, "service_events": 7, "bad_reviews": 3, "bad_follow_up_reviews": 0,
        "complaint_cases": 1,                          # CA1; CA2, CA3 are duplicates, QA1 a consult
        "overdue_tickets": 3,                          # TA3 (late reply), TA4 (fresh deadline), TQ1
        "tag_counts": {"delay": 1, "quality": 1, "attitude": 1},
        "tag_shares": {"delay": rate(0.25, 1, 4), "quality": rate(0.25, 1, 4), "attitude": rate(0.25, 1, 4)},
        "good_rate": rate(0.5714, 4, 7),               # ★5, ★4, ★3, default ★3
        "active_good_rate": rate(0.5, 3, 6),
        "bad_rate": rate(0.4286, 3, 7),
        "active_rate": rate(0.8571, 6, 7),             # EA6 has only a default rating
        "unrated_rate": rate(0.1429, 1, 7),
        "bad_callback_rate": rate(1.0, 1, 1),          # EA2, verified
        "rectification_rate": rate(0.6667, 2, 3),      # TA2, TA3 of TA2, TA3, TA4
        "rectification_on_time_rate": rate(0.3333, 1, 3),  # TA2 only: replied in time
        "reply_rate": rate(1.0, 3, 3),
        "response_rate": rate(0.8, 4, 5),              # TA3 signed late
        "resolution_rate": rate(0.5, 1, 2),            # CA1 solved (latest callback), CA2 not
        "callback_satisfaction_rate": rate(1.0, 2, 2),  # 满意 + 1.0 × 基本满意
        "complaint_rate_per_1000": 571.43,             # (3 + 1) × 1000 / 7
        "satisfaction_score": 42.86,                   # (4+0+1+0+3+2+2) × 25 / 7
        "satisfaction_points": 300,
    },
    "ZJJ-B": {
        "reviews_total": 5, "reviews_active": 4, "reviews_valid": 5, "reviews_excluded": 0,
        "follow_up_reviews": 0, "service_events": 5, "bad_reviews": 2, "bad_follow_up_reviews": 0,
        "complaint_cases": 0, "overdue_tickets": 1,    # TB3
        "tag_counts": {"delay": 1, "quality": 0, "attitude": 0},
        "tag_shares": {"delay": rate(0.5, 1, 2), "quality": rate(0.0, 0, 2), "attitude": rate(0.0, 0, 2)},
        "good_rate": rate(0.6, 3, 5), "active_good_rate": rate(0.5, 2, 4), "bad_rate": rate(0.4, 2, 5),
        "active_rate": rate(0.8, 4, 5), "unrated_rate": rate(0.2, 1, 5),
        "bad_callback_rate": rate(0.0, 0, 1),          # EB2 never verified
        "rectification_rate": rate(0.5, 1, 2),         # TB2 (supervisor) of TB2, TB3
        "rectification_on_time_rate": rate(0.5, 1, 2),  # TB2 replied inside its extension
        "reply_rate": rate(0.5, 1, 2),
        "response_rate": rate(0.5, 1, 2),              # TB3 never signed
        "resolution_rate": empty_rate(), "callback_satisfaction_rate": empty_rate(),
        "complaint_rate_per_1000": 400.0,              # 2 × 1000 / 5
        "satisfaction_score": 50.0,                    # (4+1+0+2+3) × 25 / 5
        "satisfaction_points": 250,
    },
}
# The bureau (ZJJ) is the sum of its units (ZJJ-A1 has nothing).
EXPECTED["ZJJ"] = {
    "reviews_total": 12, "reviews_active": 10, "reviews_valid": 12, "reviews_excluded": 0,
    "follow_up_reviews": 0, "service_events": 12, "bad_reviews": 5, "bad_follow_up_reviews": 0,
    "complaint_cases": 1, "overdue_tickets": 4,
    "tag_counts": {"delay": 2, "quality": 1, "attitude": 1},
    "tag_shares": {"delay": rate(0.3333, 2, 6), "quality": rate(0.1667, 1, 6), "attitude": rate(0.1667, 1, 6)},
    "good_rate": rate(0.5833, 7, 12), "active_good_rate": rate(0.5, 5, 10), "bad_rate": rate(0.4167, 5, 12),
    "active_rate": rate(0.8333, 10, 12), "unrated_rate": rate(0.1667, 2, 12),
    "bad_callback_rate": rate(0.5, 1, 2), "rectification_rate": rate(0.6, 3, 5),
    "rectification_on_time_rate": rate(0.4, 2, 5), "reply_rate": rate(0.8, 4, 5),
    "response_rate": rate(0.7143, 5, 7), "resolution_rate": rate(0.5, 1, 2),
    "callback_satisfaction_rate": rate(1.0, 2, 2), "complaint_rate_per_1000": 500.0,
    "satisfaction_score": 45.83, "satisfaction_points": 550,
}
EXPECTED["ZJJ-A1"] = {
    **{key: 0 for key in ("reviews_total", "reviews_active", "reviews_valid", "reviews_excluded",
                          "follow_up_reviews", "service_events", "bad_reviews", "bad_follow_up_reviews",
                          "complaint_cases", "overdue_tickets", "satisfaction_points")},
    "tag_counts": {"delay": 0, "quality": 0, "attitude": 0},
    "tag_shares": {"delay": empty_rate(), "quality": empty_rate(), "attitude": empty_rate()},
    **{key: empty_rate() for key in ("good_rate", "active_good_rate", "bad_rate", "active_rate",
                                     "unrated_rate", "bad_callback_rate", "rectification_rate",
                                     "rectification_on_time_rate", "reply_rate", "response_rate",
                                     "resolution_rate", "callback_satisfaction_rate")},
    "complaint_rate_per_1000": None, "satisfaction_score": None,
}

WEIGHTS = {"satisfaction": 0.35, "rectification": 0.3, "response": 0.15, "resolution": 0.2}


def component(value, indicator, numerator, denominator):
    return {"value": value, "indicator": indicator, "numerator": numerator, "denominator": denominator}


def score(code, name, score_, base, components, applied, overdue, grade, colour, status, version):
    return {"department_code": code, "department_name": name, "score": score_, "base_score": base,
            "components": components, "weights": WEIGHTS, "weights_applied": applied,
            "overdue_tickets": overdue, "overdue_deduction_per_ticket": 2.0,
            "overdue_deduction": 2.0 * overdue, "grade": grade, "color": colour, "status": status,
            "version": version}


def expected_scores(status: str, version: int) -> list[dict]:
    all_present = dict(WEIGHTS)
    return [
        # 0.35×45.83 + 0.30×60 + 0.15×71.43 + 0.20×50 = 54.755; − 4 overdue × 2 = 46.755
        score("ZJJ", "市住房和城乡建设局", 46.76, 54.76, {
            "satisfaction": component(45.83, "satisfaction_score", 550, 12),
            "rectification": component(60.0, "rectification_rate", 3, 5),
            "response": component(71.43, "response_rate", 5, 7),
            "resolution": component(50.0, "resolution_rate", 1, 2)}, all_present, 4, "fail", "red",
            status, version),
        # 0.35×42.86 + 0.30×66.67 + 0.15×80 + 0.20×50 = 57.002; − 3 × 2 = 51.002
        score("ZJJ-A", "物业管理科", 51.0, 57.0, {
            "satisfaction": component(42.86, "satisfaction_score", 300, 7),
            "rectification": component(66.67, "rectification_rate", 2, 3),
            "response": component(80.0, "response_rate", 4, 5),
            "resolution": component(50.0, "resolution_rate", 1, 2)}, all_present, 3, "fail", "red",
            status, version),
        score("ZJJ-A1", "物业管理科一组", None, None, {
            "satisfaction": component(None, "satisfaction_score", 0, 0),
            "rectification": component(None, "rectification_rate", 0, 0),
            "response": component(None, "response_rate", 0, 0),
            "resolution": component(None, "resolution_rate", 0, 0)},
            dict.fromkeys(WEIGHTS, 0.0), 0, None, None, status, version),
        # No callback: resolution is dropped and the rest rescaled to 0.80:
        # (0.35×50 + 0.30×50 + 0.15×50) / 0.80 = 50; − 1 × 2 = 48
        score("ZJJ-B", "政务服务科", 48.0, 50.0, {
            "satisfaction": component(50.0, "satisfaction_score", 250, 5),
            "rectification": component(50.0, "rectification_rate", 1, 2),
            "response": component(50.0, "response_rate", 1, 2),
            "resolution": component(None, "resolution_rate", 0, 0)},
            {"satisfaction": 0.4375, "rectification": 0.375, "response": 0.1875, "resolution": 0.0},
            1, "fail", "red", status, version),
    ]


@pytest.fixture
def month(app, session, depts):
    m = Month(app, session)
    build(m)
    return m


def test_one_month_two_departments_every_figure_by_hand(client, month, make_token, time_machine):
    time_machine.move_to(NOW, tick=False)
    supervisor, other_supervisor = make_token("supervisor"), make_token("supervisor")
    staff_a, engine = make_token("dept_staff", "ZJJ-A"), make_token("appraisal")

    live = client.get("/api/v1/indicators?period=2026-11", headers=bearer(supervisor))
    assert live.status_code == 200
    items = {item["department_code"]: item["indicators"] for item in live.get_json()["items"]}
    assert list(items) == ["ZJJ", "ZJJ-A", "ZJJ-A1", "ZJJ-B"]
    for code, expected in EXPECTED.items():
        assert items[code] == expected, code
    # Nothing of it leaks into December: TA4's and TC1's fresh deadlines are there, not their counts.
    december = client.get("/api/v1/indicators?period=2026-12", headers=bearer(supervisor)).get_json()
    a_december = next(i["indicators"] for i in december["items"] if i["department_code"] == "ZJJ-A")
    assert (a_december["overdue_tickets"], a_december["rectification_rate"]) == (0, empty_rate())

    before = client.get("/api/v1/appraisal/scores?period=2026-11", headers=bearer(engine))
    assert before.get_json()["items"] == expected_scores("provisional", 0)

    # Published, then a department's appeal is accepted: the version is under correction.
    draft = client.post("/api/v1/publications", json={"period": "2026-11"}, headers=bearer(supervisor))
    publication = draft.get_json()["id"]
    approved = client.post(f"/api/v1/publications/{publication}/approve", json={},
                           headers=bearer(other_supervisor))
    assert approved.status_code == 200
    assert client.get("/api/v1/appraisal/scores?period=2026-11",
                      headers=bearer(engine)).get_json()["items"] == expected_scores("provisional", 1)
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    appeal = client.post(f"/api/v1/publications/{publication}/appeals", headers=bearer(staff_a),
                         json={"department_code": "ZJJ-A", "indicator": "overdue_tickets",
                               "reason": "TQ1 为咨询件，已于次日答复"})
    assert appeal.status_code == 201
    decided = client.post(f"/api/v1/publications/{publication}/appeals/{appeal.get_json()['id']}/decide",
                          headers=bearer(supervisor), json={"accepted": True, "note": "将以更正版本发布"})
    assert decided.get_json()["status"] == "accepted"
    time_machine.move_to(NOW + timedelta(days=10), tick=False)  # long after the appeal window (11 Dec)
    scores = client.get("/api/v1/appraisal/scores?period=2026-11", headers=bearer(engine))
    assert scores.get_json()["items"] == expected_scores("under_correction", 1)
    public = client.get("/api/v1/public/indicators?period=2026-11").get_json()
    assert public["status"] == "under_correction"
    assert {i["department_code"]: i["indicators"] for i in public["items"]} == EXPECTED
