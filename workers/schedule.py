"""The periodic jobs, as data. `rq cron workers.cron_config` runs them; tests call them inline."""

from __future__ import annotations

from dataclasses import dataclass

from workers.queues import PERIODIC


@dataclass(frozen=True)
class PeriodicJob:
    func: str  # dotted path, so this table imports nothing heavy
    interval_seconds: int
    queue: str = PERIODIC
    timeout: int = 600


SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob("workers.jobs.requeue_pending", 60),
    PeriodicJob("workers.jobs.apply_default_ratings", 3600),
    PeriodicJob("workers.jobs.retrain_models", 24 * 3600, timeout=1800),
    PeriodicJob("workers.jobs.refresh_rollups", 60),
    PeriodicJob("workers.jobs.sweep_tickets", 300),
    PeriodicJob("workers.jobs.recompute_provisional_deadlines", 3600),
    PeriodicJob("workers.jobs.checkpoint_audit_log", 300),
    PeriodicJob("workers.jobs.anonymise_contacts", 24 * 3600, timeout=3600),
)
