"""Publication (公示): freeze, a second supervisor approves, appeal window, final, corrections."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain import accounts
from service.domain.accounts import Scope
from service.domain.accounts.audit import history, verify
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.indicators import publications
from service.domain.indicators.reports import appraisal_scores
from service.models import Publication, User
from tests.domain.test_indicators import Factory, local, november


@pytest.fixture
def make(session, depts):
    return Factory(session, depts)

FROZEN = local(2026, 12, 10, 9)  # a Thursday


@pytest.fixture
def people(session, depts):
    names = {}
    for name, role, dept in (("s1", "supervisor", None), ("s2", "supervisor", None),
                             ("staff_a", "dept_staff", "ZJJ-A")):
        accounts.create_user(session, name, role, dept)
        names[name] = session.scalar(select(User).where(User.name == name))
    return names


@pytest.fixture
def settings(app):
    return app.extensions["settings"]


def freeze_and_approve(session, settings, people, period="2026-11", now=FROZEN):
    draft = publications.create_publication(session, settings, period, people["s1"], now)
    return publications.approve_publication(session, settings, draft.id, people["s2"], now)


def test_two_different_supervisors_publish_and_the_same_one_twice_is_conflict(
        session, settings, people, make):
    november(make)
    draft = publications.create_publication(session, settings, "2026-11", people["s1"], FROZEN)
    assert draft.status == "draft" and draft.version == 1 and not draft.provisional
    with pytest.raises(NotFound):
        publications.published_view(session, "2026-11", FROZEN)  # a draft is not public
    with pytest.raises(Conflict):
        publications.approve_publication(session, settings, draft.id, people["s1"], FROZEN)
    published = publications.approve_publication(session, settings, draft.id, people["s2"], FROZEN)
    assert published.status == "published"
    # 5 working days after Thursday 10 December: 11, 14, 15, 16, 17 ⇒ the end of the 17th.
    assert published.appeal_deadline == local(2026, 12, 18, 0)
    with pytest.raises(Conflict):
        publications.approve_publication(session, settings, draft.id, people["s2"], FROZEN)
    actions = [e.action for e in history(session, "publication", draft.id)]
    assert actions == ["publication_frozen", "publication_approved"]
    assert verify(session).ok


def test_snapshot_figures_are_frozen_while_live_figures_move(session, settings, people, make):
    november(make)
    publication = freeze_and_approve(session, settings, people)
    snapshot = publications.snapshot_of(session, publication)
    a = next(i for i in snapshot["items"] if i["department_code"] == "ZJJ-A")
    assert a["indicators"]["reviews_total"] == 9
    assert a["appraisal"]["score"] == 42.09
    assert snapshot["settings"]["weights"]["satisfaction"] == 0.35
    make.review(make.event("ZJJ-A", local(2026, 11, 3)), 5, local(2026, 11, 4))
    session.commit()
    again = publications.snapshot_of(session, publication)
    assert again == snapshot
    publication.snapshot = {"tampered": True}
    with pytest.raises(ValueError):
        session.flush()
    session.rollback()


def test_appeal_window_then_final(session, settings, people, make):
    november(make)
    publication = freeze_and_approve(session, settings, people)
    scope_a = Scope(people["staff_a"].department.path)
    body = {"department_code": "ZJJ-A", "indicator": "overdue_tickets", "reason": "T4 已延期"}
    with pytest.raises(ValidationFailed):  # another department reads like an unknown code
        publications.file_appeal(session, scope_a, publication.id, {**body, "department_code": "ZJJ-B"},
                                 people["staff_a"], local(2026, 12, 11))
    with pytest.raises(ValidationFailed):
        publications.file_appeal(session, scope_a, publication.id, {**body, "indicator": "nope"},
                                 people["staff_a"], local(2026, 12, 11))
    appeal = publications.file_appeal(session, scope_a, publication.id, body, people["staff_a"],
                                      local(2026, 12, 17, 23))
    after_window = local(2026, 12, 18, 1)
    with pytest.raises(Conflict):
        publications.file_appeal(session, scope_a, publication.id, body, people["staff_a"], after_window)
    # An undecided appeal keeps the version from becoming final.
    assert publications.version_status(session, publication, after_window) == "published"
    publications.decide_appeal(session, publication.id, appeal.id, False, "延期未获批准", people["s1"],
                               after_window)
    with pytest.raises(Conflict):
        publications.decide_appeal(session, publication.id, appeal.id, True, "x", people["s1"],
                                   after_window)
    assert publications.version_status(session, publication, after_window) == "final"
    scores = appraisal_scores(session, settings, "2026-11", after_window)
    assert {s["status"] for s in scores} == {"final"} and scores[0]["version"] == 1


def test_correction_is_a_new_version_with_a_reason(session, settings, people, make):
    november(make)
    first = freeze_and_approve(session, settings, people)
    later = local(2026, 12, 21)
    with pytest.raises(ValidationFailed) as exc:
        publications.create_publication(session, settings, "2026-11", people["s2"], later)
    assert "reason" in exc.value.details
    draft = publications.create_publication(session, settings, "2026-11", people["s2"], later,
                                            reason="T4 延期获批，更正超期数")
    with pytest.raises(Conflict):  # one pending draft per period at a time
        publications.create_publication(session, settings, "2026-11", people["s1"], later, reason="x")
    publications.approve_publication(session, settings, draft.id, people["s1"], later)
    view = publications.published_view(session, "2026-11", later)
    assert view.publication.version == 2 and view.status == "published"
    assert [(v["version"], v["status"]) for v in view.versions] == [(1, "superseded"), (2, "published")]
    assert view.versions[1]["reason"] == "T4 延期获批，更正超期数"
    old = publications.published_view(session, "2026-11", later, version=1)
    assert old.publication.id == first.id and old.status == "superseded"
    assert session.get(Publication, first.id).snapshot_hash == first.snapshot_hash


def test_open_period_is_published_as_provisional_only(session, settings, people, make):
    november(make)
    now = local(2026, 12, 10)
    publication = freeze_and_approve(session, settings, people, "2026-12", now)
    assert publication.provisional
    much_later = local(2027, 2, 1)
    assert publications.version_status(session, publication, much_later) == "published"
    assert {s["status"] for s in appraisal_scores(session, settings, "2026-12", much_later)} == {
        "provisional"}


def test_unpublished_or_malformed_periods(session, settings, people):
    with pytest.raises(NotFound):
        publications.published_view(session, "2026-10", FROZEN)
    with pytest.raises(ValidationFailed):
        publications.published_view(session, "2026-1", FROZEN)
    with pytest.raises(ValidationFailed):
        publications.create_publication(session, settings, "2027-01", people["s1"], FROZEN)
    scores = appraisal_scores(session, settings, "2026-10", FROZEN)
    assert {s["status"] for s in scores} == {"provisional"} and {s["version"] for s in scores} == {0}
