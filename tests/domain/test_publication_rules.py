"""Publication rules of issue 9: an accepted appeal keeps a version `under_correction` until the
correcting version is approved (item 7); the appeal window's end is a working-day deadline,
provisional across a year not loaded yet and recomputed when it is (item 8)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.domain import accounts, provisional
from service.domain.accounts import Scope
from service.domain.accounts.audit import history, verify
from service.domain.calendar import store_year
from service.domain.indicators import appraisal_scores, publications
from service.models import Publication, User
from tests.domain.test_indicators import Factory, local, november

YEAR_2027 = json.dumps({"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]})
BODY = {"department_code": "ZJJ-A", "indicator": "overdue_tickets", "reason": "T4 已获延期"}


@pytest.fixture
def people(session, depts):
    for name, role, dept in (("s1", "supervisor", None), ("s2", "supervisor", None),
                             ("staff_a", "dept_staff", "ZJJ-A")):
        accounts.create_user(session, name, role, dept)
    return {u.name: u for u in session.scalars(select(User))}


@pytest.fixture
def settings(app):
    return app.extensions["settings"]


def publish(session, settings, people, now, reason=None):
    draft = publications.create_publication(session, settings, "2026-11", people["s1"], now, reason)
    return publications.approve_publication(session, settings, draft.id, people["s2"], now)


def test_accepted_appeal_keeps_the_version_under_correction(session, settings, people, depts):
    november(Factory(session, depts))
    first = publish(session, settings, people, local(2026, 12, 10, 9))  # window ends 17 December
    appeal = publications.file_appeal(session, Scope(people["staff_a"].department.path), first.id, BODY,
                                      people["staff_a"], local(2026, 12, 11))
    publications.decide_appeal(session, first.id, appeal.id, True, "将以更正版本发布", people["s1"],
                               local(2026, 12, 14))
    for moment in (local(2026, 12, 14), local(2026, 12, 20)):  # inside the window, and after it
        assert publications.version_status(session, first, moment) == "under_correction"
        scores = appraisal_scores(session, settings, "2026-11", moment)
        assert {s["status"] for s in scores} == {"under_correction"} and scores[0]["version"] == 1
    view = publications.published_view(session, "2026-11", local(2026, 12, 20))
    assert view.status == "under_correction"

    publish(session, settings, people, local(2026, 12, 21), reason="申诉成立，更正超期数")
    after = local(2026, 12, 30)  # the correction's own window ended on the 28th
    assert publications.version_status(session, first, after) == "superseded"
    assert {s["status"] for s in appraisal_scores(session, settings, "2026-11", after)} == {"final"}


def test_appeal_window_into_an_unknown_year_is_provisional_then_recomputed(session, settings, people, depts):
    november(Factory(session, depts))
    approved = local(2026, 12, 28, 10)  # Monday; five working days reach into 2027
    publication = publish(session, settings, people, approved)
    # On weekdays only, New Year's Day counts: Dec 29, 30, 31, Jan 1, Jan 4 ⇒ the end of Jan 4.
    assert (publication.appeal_deadline, publication.appeal_deadline_provisional) == (
        local(2027, 1, 5, 0), True)
    status = provisional.calendar_status(session, approved)
    assert status["provisional_appeal_windows"] == 1 and "公示申诉期" in status["warnings"][-1]
    # Never silently final: past the weekday end, still open to appeals while provisional.
    past_weekday_end = local(2027, 1, 5, 9)
    assert publications.version_status(session, publication, past_weekday_end) == "published"
    publications.file_appeal(session, Scope(), publication.id, BODY, people["s1"], past_weekday_end)

    result = provisional.load_calendar_year(session, settings, YEAR_2027, "2027.json", "admin", approved)
    assert result["appeal_windows"] == {"checked": 1, "settled": 1, "still_provisional": 0}
    publication = session.get(Publication, publication.id)
    # New Year's Day is a holiday: Dec 29, 30, 31, Jan 4, 5 ⇒ the end of Jan 5.
    assert (publication.appeal_deadline, publication.appeal_deadline_provisional) == (
        local(2027, 1, 6, 0), False)
    assert publications.version_status(session, publication, local(2027, 1, 6, 1)) == "published"  # 1 appeal open
    actions = [e.action for e in history(session, "publication", publication.id)]
    assert actions[-1] == "appeal_deadline_recomputed"
    assert provisional.calendar_status(session, approved)["warnings"] == []
    assert verify(session).ok


def test_the_periodic_job_settles_windows_of_a_year_loaded_elsewhere(session, settings, people, depts):
    november(Factory(session, depts))
    publication = publish(session, settings, people, local(2026, 12, 28, 10))
    store_year(session, YEAR_2027, "elsewhere.json", "admin", local(2026, 12, 28, 11))
    result = provisional.recompute_provisional_deadlines(session, settings, local(2026, 12, 28, 12))
    assert result["appeal_windows"]["settled"] == 1
    assert session.get(Publication, publication.id).appeal_deadline == local(2027, 1, 6, 0)
    final_after = local(2027, 1, 6, 1)
    assert publications.version_status(session, session.get(Publication, publication.id), final_after) == "final"
