"""Accepted work still waiting for its follow-up jobs (classification, ticket opening).

The stored rows with `pending` states are the durable job records: the dispatcher claims them in
batches with a lease (claims.py); whatever Redis or a worker lost is found here and handed out again.
May import: `service.models`, `config` only.
"""

from service.domain.pending.claims import (
    KINDS,
    PendingKind,
    claim,
    release,
)
from service.domain.pending.work import (
    PendingWork,
    count_pending,
    pending_work,
)

__all__ = [
    "KINDS",
    "PendingKind",
    "claim",
    "release",
    "PendingWork",
    "count_pending",
    "pending_work",
]
