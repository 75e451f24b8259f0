"""Accepted work still waiting for its follow-up jobs (classification, ticket opening).

The stored rows with `pending` states are the durable job records: whatever Redis or a worker
lost is found here and handed out again.
May import: `service.models`, `config` only.
"""

from service.domain.pending.work import (
    PendingWork,
    count_pending,
    pending_work,
)

__all__ = [
    "PendingWork",
    "count_pending",
    "pending_work",
]
