"""A bad follow-up rating (追评差评) after a good rating opens a ticket of its own; it is a 差评 in
every 差评 indicator — count, reply rate, real-name callback rate, tags, 投诉率, rectification —
while the rating shares (好评率, 差评率, 满意度) stay over primary ratings (issue 9 item 11)."""

from service.domain import tickets
from service.domain.accounts import Scope
from service.domain.indicators import compute_indicators
from service.domain.ratings import load_catalog, submit_review
from service.models import Ticket
from tests.domain.tickets_support import MONDAY, later


def rate(desk, event, level, now, **extra):
    s = desk.settings
    data = {"rate_token": event["rate_token"], "level": level, "channel": "mobile", **extra}
    return submit_review(desk.session, s, load_catalog(s.rating_options_file), data, now)[0]


def test_bad_follow_up_counts_as_a_grievance_everywhere(session, depts, desk):
    dept, op = desk.actor("dept_staff", "ZJJ-A"), desk.actor("operator")
    good_then_bad = desk.register_event(real_name=True)
    rate(desk, good_then_bad, 4, MONDAY)
    follow = rate(desk, good_then_bad, 1, later(MONDAY, days=1), follow_up=True,
                  options=["quality_problem"], text="入住后发现墙体开裂")
    assert follow.ticket_state == "pending"  # it opens a ticket of its own
    opened = tickets.open_ticket_for_review(session, desk.settings, follow.id, later(MONDAY, days=1))
    ticket_id = opened["ticket_id"]
    desk.act(ticket_id, op, later(MONDAY, days=1, hours=2), action="verify")
    desk.act(ticket_id, dept, later(MONDAY, days=2), action="sign")
    desk.act(ticket_id, dept, later(MONDAY, days=3), action="reply", resolution="scheduled", content="已返修")
    # A bad follow-up after a bad rating is the same 差评: counted once, with the primary's ticket.
    bad_then_bad = desk.register_event()
    rate(desk, bad_then_bad, 2, MONDAY)
    assert rate(desk, bad_then_bad, 1, later(MONDAY, days=1), follow_up=True).ticket_state == "not_needed"

    report = compute_indicators(session, desk.settings, Scope(), "2026-11", later(MONDAY, days=6))
    a = next(i.indicators for i in report.items if i.department_code == "ZJJ-A")
    assert (a["reviews_total"], a["follow_up_reviews"]) == (2, 2)
    assert (a["bad_reviews"], a["bad_follow_up_reviews"]) == (2, 1)
    assert a["bad_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}  # primary ratings
    assert a["reply_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert a["bad_callback_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert a["tag_counts"]["quality"] == 1
    assert a["complaint_rate_per_1000"] == 1000.0  # 2 差评 per 2 service events
    assert session.get(Ticket, ticket_id).source == "review"
