"""Every formula of domain.md §6 against hand-computed figures (see the scenario below)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain.accounts import Scope
from service.domain.errors import ValidationFailed
from service.domain.indicators.figures import compute_indicators
from service.models import HotlineCallback, HotlineCase, Review, ServiceEvent, Ticket

SH = ZoneInfo("Asia/Shanghai")


def local(y, m, d, h=12, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=SH)


def end_of(y, m, d) -> datetime:
    """An end-of-day deadline: 00:00 local of the next day."""
    return datetime(y, m, d, tzinfo=SH) + timedelta(days=1)


class Factory:
    """Rows straight through the ORM with hand-chosen values (no other engine's functions)."""

    def __init__(self, session, depts):
        self.session, self.depts, self.n = session, depts, itertools.count(1)

    def event(self, dept: str, completed_at: datetime, real_name: bool = False) -> ServiceEvent:
        n = next(self.n)
        event = ServiceEvent(
            event_no=f"E{n}", department_id=self.depts[dept].id, item_name="测试事项",
            channel="window", completed_at=completed_at, rate_token_hash=f"tok{n}",
            rate_token_expires_at=completed_at + timedelta(days=90), citizen_real_name=real_name,
            body_fingerprint="x",
        )
        self.session.add(event)
        self.session.flush()
        return event

    def review(self, event: ServiceEvent, level: int, created_at: datetime, seq: int = 0,
               **extra) -> Review:
        review = Review(
            service_event_id=event.id, department_id=event.department_id, seq=seq, level=level,
            is_bad=level <= 2, channel=extra.pop("channel", "miniprogram"), options=[],
            options_version="t", created_at=created_at, real_name=event.citizen_real_name,
            classification_state="done", **extra,
        )
        self.session.add(review)
        self.session.flush()
        return review

    def ticket(self, dept: str, dispatched_at: datetime, sign_due_at: datetime, due_at: datetime,
               review: Review | None = None, case: HotlineCase | None = None, **extra) -> Ticket:
        extra.setdefault("period_due_at", due_at)  # reopened: the original deadline, given apart
        extra.setdefault("clock_started_at", dispatched_at)
        ticket = Ticket(
            source="review" if review is not None else "hotline",
            review_id=review.id if review is not None else None,
            case_id=case.id if case is not None else None,
            department_id=self.depts[dept].id, dispatched_at=dispatched_at,
            sign_due_at=sign_due_at, due_at=due_at, yellow_from=due_at - timedelta(days=1),
            notice_at=due_at + timedelta(days=1), escalate_at=due_at + timedelta(days=7),
            sign_yellow_from=sign_due_at - timedelta(days=1), sign_notice_at=sign_due_at,
            sign_escalate_at=sign_due_at + timedelta(days=7), **extra,
        )
        self.session.add(ticket)
        self.session.flush()
        return ticket

    def case(self, dept: str, type_: str, received_at: datetime, **extra) -> HotlineCase:
        n = next(self.n)
        case = HotlineCase(case_no=f"C{n}", type=type_, content="诉求", received_at=received_at,
                           department_id=self.depts[dept].id, body_fingerprint="x", **extra)
        self.session.add(case)
        self.session.flush()
        return case

    def callback(self, case: HotlineCase, solved: bool, satisfaction: str, at: datetime,
                 valid: bool = True) -> HotlineCallback:
        callback = HotlineCallback(case_id=case.id, department_id=case.department_id,
                                   solved=solved, satisfaction=satisfaction, valid=valid,
                                   created_at=at)
        self.session.add(callback)
        self.session.flush()
        return callback


@pytest.fixture
def make(session, depts):
    return Factory(session, depts)


def november(f: Factory) -> None:
    """The scenario of the hand computation (ZJJ-A unless said otherwise)."""
    e = [f.event("ZJJ-A", local(2026, 10, 30))]  # E0: October
    f.review(e[0], 5, local(2026, 10, 31))
    e1 = f.event("ZJJ-A", local(2026, 11, 2))
    f.review(e1, 5, local(2026, 11, 3))
    f.review(e1, 2, local(2026, 11, 10), seq=1)  # follow-up: reported apart, not in the rates
    e2 = f.event("ZJJ-A", local(2026, 11, 3), real_name=True)
    f.review(e2, 4, local(2026, 11, 4))
    e3 = f.event("ZJJ-A", local(2026, 11, 4), real_name=True)
    r3 = f.review(e3, 1, local(2026, 11, 5), human_tags=["delay"], effective_tags=",delay,")
    f.ticket("ZJJ-A", local(2026, 11, 5), end_of(2026, 11, 6), end_of(2026, 11, 26), review=r3,
             signed_at=local(2026, 11, 6, 10), replied_at=local(2026, 11, 20),
             verified_at=local(2026, 11, 6), status="closed", outcome="resolved",
             closed_at=local(2026, 11, 25))
    e4 = f.event("ZJJ-A", local(2026, 11, 5))
    r4 = f.review(e4, 2, local(2026, 11, 6), effective_tags=",quality,attitude,")
    f.ticket("ZJJ-A", local(2026, 11, 6), end_of(2026, 11, 9), end_of(2026, 11, 27), review=r4,
             signed_at=local(2026, 11, 10), status="handling")
    e5 = f.event("ZJJ-A", local(2026, 11, 6))
    r5 = f.review(e5, 1, local(2026, 11, 7), effective_tags=",delay,", excluded=True,
                  excluded_reason="malicious", excluded_at=local(2026, 11, 12))
    f.ticket("ZJJ-A", local(2026, 11, 7), end_of(2026, 11, 9), end_of(2026, 11, 27), review=r5,
             status="closed", outcome="appeal_upheld", closed_at=local(2026, 11, 12))
    f.event("ZJJ-A", local(2026, 11, 7))  # E6: never rated
    e7 = f.event("ZJJ-A", local(2026, 11, 8))
    f.review(e7, 3, local(2026, 11, 16), channel="default", is_default=True)
    e8 = f.event("ZJJ-A", local(2026, 11, 30, 10))
    f.review(e8, 3, local(2026, 11, 30, 23, 30))  # last minutes of November, Shanghai time
    e9 = f.event("ZJJ-A", local(2026, 11, 30, 10))
    f.review(e9, 5, local(2026, 12, 1, 0, 30))  # rated in December: the event still counts as rated
    e10 = f.event("ZJJ-A", local(2026, 11, 15))
    r10 = f.review(e10, 2, local(2026, 11, 15))
    # Reopened (重办): replied on the 19th, rejected on the 20th: fresh deadline, handling again.
    # Its original deadline (period_due_at) is given the same day to keep the sums simple; the
    # period rule itself is tested in test_ticket_clock.py.
    f.ticket("ZJJ-A", local(2026, 11, 15), end_of(2026, 11, 16), end_of(2026, 11, 28), review=r10,
             signed_at=local(2026, 11, 16), replied_at=local(2026, 11, 19), status="handling",
             clock_started_at=local(2026, 11, 20), reopen_count=1)
    c1 = f.case("ZJJ-A", "complaint", local(2026, 11, 12), effective_tags=",delay,")
    f.ticket("ZJJ-A", local(2026, 11, 12), end_of(2026, 11, 13), end_of(2026, 12, 3), case=c1)
    report = f.case("ZJJ-A", "report", local(2026, 11, 13), effective_tags=",quality,")
    f.case("ZJJ-A", "complaint", local(2026, 11, 13), duplicate_of_id=c1.id,
           effective_tags=",attitude,")
    f.case("ZJJ-A", "consult", local(2026, 11, 14), effective_tags=",attitude,")
    f.case("ZJJ-A", "complaint", local(2026, 12, 2))
    # Callbacks count cases: C1 counts once, with its latest valid callback (the 22nd).
    f.callback(c1, True, "satisfied", local(2026, 11, 20))
    f.callback(c1, False, "unsatisfied", local(2026, 11, 21))
    f.callback(c1, False, "basic", local(2026, 11, 22))
    f.callback(c1, True, "satisfied", local(2026, 11, 23), valid=False)
    f.callback(report, True, "satisfied", local(2026, 11, 24))
    e11 = f.event("ZJJ-A1", local(2026, 11, 20))
    f.review(e11, 5, local(2026, 11, 20))
    f.session.commit()


NOW = local(2026, 12, 10)


def figures(session, settings, period="2026-11", now=NOW, scope=Scope(), **kw):
    report = compute_indicators(session, settings, scope, period, now, **kw)
    return {item.department_code: item.indicators for item in report.items}


def r(value, numerator, denominator):
    return {"value": value, "numerator": numerator, "denominator": denominator}


def test_department_own_figures_match_the_hand_computation(session, app, make):
    november(make)
    a1 = figures(session, app.extensions["settings"])["ZJJ-A1"]
    assert a1["reviews_total"] == 1 and a1["service_events"] == 1
    assert a1["good_rate"] == r(1.0, 1, 1)
    assert a1["satisfaction_score"] == 100.0
    assert a1["rectification_rate"] == r(None, 0, 0)


def test_parent_includes_sub_departments_with_every_formula(session, app, make):
    november(make)
    a = figures(session, app.extensions["settings"])["ZJJ-A"]
    # E1..E10 (ZJJ-A) + E11 (ZJJ-A1) completed in November; E0 was October.
    assert a["service_events"] == 11
    assert a["reviews_total"] == 9        # E1,E2,E3,E4,E5,E7,E8,E10,E11 (E9 rated in December)
    assert a["reviews_active"] == 8       # E7 is a default rating
    assert a["reviews_excluded"] == 1     # E5, appeal upheld
    assert a["reviews_valid"] == 8
    assert a["follow_up_reviews"] == 1
    # E3, E4, E10 (E5 excluded) and E1's bad follow-up after a good rating (it opens a ticket)
    assert a["bad_reviews"] == 4 and a["bad_follow_up_reviews"] == 1
    assert a["good_rate"] == r(0.625, 5, 8)
    assert a["bad_rate"] == r(0.375, 3, 8)  # primary ratings only: E1's follow-up is not one
    assert a["active_good_rate"] == r(0.5714, 4, 7)
    assert a["active_rate"] == r(0.8182, 9, 11)   # E6 unrated, E7 only a default rating
    assert a["unrated_rate"] == r(0.1818, 2, 11)
    # (4+3+0+1+2+2+1+4) = 17 points × 25 / 8 valid ratings
    assert a["satisfaction_score"] == 53.13
    assert a["satisfaction_points"] == 425
    assert a["bad_callback_rate"] == r(1.0, 1, 1)  # E3 is the only real-name 差评; verified
    assert a["reply_rate"] == r(0.5, 2, 4)         # E3 and E10 replied, E4 and E1's follow-up not
    assert a["complaint_cases"] == 2               # C1 + report; not the duplicate, consult, December
    assert a["tag_counts"] == {"delay": 2, "quality": 2, "attitude": 1}
    assert a["tag_shares"]["delay"] == r(0.3333, 2, 6)
    assert a["complaint_rate_per_1000"] == 545.45  # (4 + 2) × 1000 / 11
    assert a["response_rate"] == r(0.5, 2, 4)      # T3, T10 on time; T4 late; C1's never signed
    assert a["rectification_rate"] == r(0.3333, 1, 3)  # T3 done; T4 open; T10 reopened
    assert a["rectification_on_time_rate"] == r(0.3333, 1, 3)
    assert a["overdue_tickets"] == 2               # T4 and the reopened T10; C1's falls in December
    # Two cases called back: C1 (latest valid: not solved, 基本满意), the report (solved, 满意).
    assert a["resolution_rate"] == r(0.5, 1, 2)
    assert a["callback_satisfaction_rate"] == r(1.0, 2, 2)  # 满意 + 1.0 × 基本满意


def test_root_sums_everything_and_an_empty_department_is_null_not_zero(session, app, make):
    november(make)
    all_ = figures(session, app.extensions["settings"])
    assert all_["ZJJ"] == all_["ZJJ-A"]
    b = all_["ZJJ-B"]
    assert b["reviews_total"] == 0 and b["service_events"] == 0 and b["overdue_tickets"] == 0
    for key in ("good_rate", "bad_rate", "active_rate", "unrated_rate", "response_rate",
                "rectification_rate", "resolution_rate", "callback_satisfaction_rate"):
        assert b[key]["value"] is None, key
    assert b["satisfaction_score"] is None and b["complaint_rate_per_1000"] is None


def test_basic_satisfaction_weight_is_configurable(session, app, make):
    november(make)
    settings = replace(app.extensions["settings"], basic_satisfaction_weight=0.5)
    assert figures(session, settings)["ZJJ-A"]["callback_satisfaction_rate"] == r(0.75, 1.5, 2)


def test_period_boundaries_are_shanghai_days(session, app, make):
    november(make)
    settings = app.extensions["settings"]
    last_day = figures(session, settings, "2026-11-30")["ZJJ-A"]
    assert last_day["reviews_total"] == 1          # 23:30 on the 30th, not 00:30 on the 1st
    assert last_day["service_events"] == 2
    december = figures(session, settings, "2026-12")["ZJJ-A"]
    assert december["reviews_total"] == 1 and december["service_events"] == 0
    assert december["overdue_tickets"] == 1        # C1's ticket, due 3 December, never closed
    quarter = figures(session, settings, "2026-Q4")["ZJJ-A"]
    assert quarter["reviews_total"] == 11          # October + November + December
    assert figures(session, settings, "2026")["ZJJ-A"] == quarter


def test_due_and_overdue_depend_on_now(session, app, make):
    november(make)
    settings = app.extensions["settings"]
    early = figures(session, settings, now=local(2026, 11, 27, 12))["ZJJ-A"]
    # T4 is due at the end of the 27th and T10 on the 28th: neither due nor overdue yet.
    assert early["overdue_tickets"] == 0
    assert early["rectification_rate"] == r(1.0, 1, 1)
    assert early["response_rate"] == r(0.5, 2, 4)


def test_department_filter_and_scope(session, app, make, depts):
    november(make)
    settings = app.extensions["settings"]
    only_a = figures(session, settings, department_code="ZJJ-A")
    assert list(only_a) == ["ZJJ-A", "ZJJ-A1"]
    scoped = figures(session, settings, scope=Scope(depts["ZJJ-A1"].path))
    assert list(scoped) == ["ZJJ-A1"]
    with pytest.raises(ValidationFailed):  # outside the scope reads like an unknown code
        figures(session, settings, scope=Scope(depts["ZJJ-A1"].path), department_code="ZJJ-A")
    with pytest.raises(ValidationFailed) as exc:
        figures(session, settings, department_code="NOPE")
    assert "department" in exc.value.details


@pytest.mark.parametrize("period", ["2026-13", "2026-11-31", "26-11", "2026-Q5", "1999", "",
                                    "2026-11-1", "2027-01", "2026-12-11"])
def test_malformed_or_future_periods_are_rejected(session, app, depts, period):
    with pytest.raises(ValidationFailed) as exc:
        figures(session, app.extensions["settings"], period=period)
    assert "period" in exc.value.details


def test_a_period_with_no_data_has_null_rates_and_zero_counts(session, app, depts):
    items = figures(session, app.extensions["settings"], period="2026-03")
    assert set(items) == {"ZJJ", "ZJJ-A", "ZJJ-A1", "ZJJ-B"}
    for figures_ in items.values():
        assert figures_["reviews_total"] == 0 and figures_["good_rate"]["value"] is None


def test_open_period_is_allowed(session, app, depts):
    report = compute_indicators(session, app.extensions["settings"], Scope(), "2026-12",
                                local(2026, 12, 10))
    assert report.open is True and report.period.first == date(2026, 12, 1)
