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
)
