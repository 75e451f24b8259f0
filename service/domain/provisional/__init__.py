"""Deadlines computed before their year's holiday arrangement was known, across capabilities.

Owns: loading a year (`load_calendar_year`: store it, then settle every provisional deadline),
the periodic settling (`recompute_provisional_deadlines`) and the warnings about what is still
provisional (`calendar_status`). Ticket deadlines are the tickets package's to recompute, appeal
windows of published indicators the indicators package's; neither may import the other, so the
one place that calls both sits above them — here, rather than in the CLI, the admin API or the
job, which all three call it.
May import: `calendar`, `tickets`, `indicators`.
"""

from service.domain.provisional.years import (
    calendar_status,
    load_calendar_year,
    recompute_provisional_deadlines,
)

__all__ = [
    "calendar_status",
    "load_calendar_year",
    "recompute_provisional_deadlines",
]
