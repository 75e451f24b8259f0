"""RQ jobs: ids in, one domain call, a small dict out. Safe to run twice.

Each job runs inside an app context (workers/context.py): the caller's when run inline, else one
base app built once per worker process (never at import).
"""

from __future__ import annotations

from service.domain import (
    accounts,
    classification,
    indicators,
    privacy,
    provisional,
    ratings,
    tickets,
)
from service.models.types import utcnow
from workers.context import job_session, settings
from workers.dispatch import dispatch_once


def classify_review(review_id: int) -> dict:
    with job_session() as session:
        return classification.classify_review(session, review_id, now=utcnow(), settings=settings())


def classify_reviews_batch(review_ids: list[int]) -> dict:
    """Many pending reviews in one job: the texts go through the model as one batch."""
    with job_session() as session:
        return classification.classify_reviews(session, review_ids, now=utcnow(), settings=settings())


def classify_case(case_id: int) -> dict:
    with job_session() as session:
        return classification.classify_case(session, case_id, now=utcnow(), settings=settings())


def classify_cases_batch(case_ids: list[int]) -> dict:
    with job_session() as session:
        return classification.classify_cases(session, case_ids, now=utcnow(), settings=settings())


def retrain_models() -> dict:
    """Periodic (daily): retrain tags and sentiment with the bureau's feedback; a candidate is
    activated only when it is not worse than the active model on the same held-out split."""
    out = {}
    with job_session() as session:
        for task in classification.DEFAULT_TASKS:
            out[task] = classification.retrain(session, settings(), task, now=utcnow())
    return out


def open_ticket_for_review(review_id: int) -> dict:
    with job_session() as session:
        return tickets.open_ticket_for_review(session, settings(), review_id, now=utcnow())


def open_tickets_batch(review_ids: list[int]) -> dict:
    """The dispatcher's ticket job: every pending 差评 of the batch in one transaction."""
    with job_session() as session:
        return tickets.open_tickets_for_reviews(session, settings(), review_ids, now=utcnow())


def requeue_pending() -> dict:
    """Periodic safety net: one pass of the dispatcher (workers/dispatch.py), for a deployment
    whose dispatcher process is not running. Hands out only rows not queued already."""
    with job_session() as session:
        return dispatch_once(session, utcnow())


def apply_default_ratings() -> dict:
    with job_session() as session:
        s = settings()
        catalog = ratings.load_catalog(s.rating_options_file)
        return {"default_ratings": ratings.apply_default_ratings(session, s, catalog, utcnow())}


def refresh_rollups() -> dict:
    """Periodic: bring the indicator rollups up to date (incremental, idempotent, catches up)."""
    with job_session() as session:
        return indicators.refresh_rollups(session, utcnow())


def sweep_tickets() -> dict:
    """Periodic: recolour open tickets; record reminders, notices and escalations (set-based)."""
    with job_session() as session:
        return tickets.sweep_tickets(session, utcnow())


def recompute_provisional_deadlines() -> dict:
    """Periodic: recompute deadlines (tickets, appeal windows) that reached into a year whose
    holidays were unknown."""
    with job_session() as session:
        return provisional.recompute_provisional_deadlines(session, settings(), utcnow())


def checkpoint_audit_log() -> dict:
    """Periodic: a signed checkpoint of the audit chain's head (count, last id and hash) to
    AUDIT_CHECKPOINT_FILE and the log, so truncation or a rewrite shows in `audit verify`."""
    with job_session() as session:
        return accounts.checkpoint_audit(session, settings().audit_checkpoint_file, utcnow())


def anonymise_contacts() -> dict:
    """Periodic (daily): erase citizens' contact data older than CONTACT_RETENTION_DAYS; ratings,
    figures and the audit log stay."""
    with job_session() as session:
        return privacy.anonymise_contacts(session, settings(), utcnow())
