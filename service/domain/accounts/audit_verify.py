"""`flask audit verify`: walk the keyed chain and check it against every anchor, and say exactly
what is missing or altered.

What each check catches:

* position gaps (`seq` jumps): entries deleted from the middle — named by position;
* a link that does not hold (`prev_hash`): entries removed or reordered;
* a keyed hash that does not hold: an edited entry, a forged one, or a tail rewritten by someone
  without the key (every rewritten entry fails);
* anchors (signed checkpoints from files or log lines, and the anchors in publication records):
  rows cut off the end, every row deleted, or a chain rewritten *with* the key — the head an
  anchor recorded is gone, or has another hash now. An anchor whose signature does not hold is
  reported and not trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.accounts.audit_chain import CONTENT, GENESIS, audit_key, digest, signature_holds
from service.models import AuditEntry, Publication

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Anchor:
    count: int
    head_id: int
    head_hash: str
    at: str
    source: str

    @property
    def label(self) -> str:
        return f"anchor of {self.at} ({self.source})"


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    anchors: int = 0
    problems: list[str] = field(default_factory=list)
    broken_id: int | None = None  # the first entry found altered, for callers that want one id

    @property
    def reason(self) -> str | None:
        return self.problems[0] if self.problems else None


def read_anchors(paths: Iterable[str | Path]) -> tuple[list[Anchor], list[str]]:
    """Anchors from checkpoint files or JSON log files (lines carrying `audit_checkpoint`);
    returns (trusted anchors, problems with the others)."""
    anchors, problems = [], []
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                data = _checkpoint_in(line)
                if data is None:
                    continue
                source = f"{path}:{number}"
                if signature_holds(data):
                    anchors.append(_anchor(data, source))
                else:
                    problems.append(f"{source}: checkpoint signature does not hold (forged or altered); not trusted")
    return anchors, problems


def _checkpoint_in(line: str) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    found = data.get("audit_checkpoint") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else None


def _anchor(data: dict[str, Any], source: str) -> Anchor:
    return Anchor(int(data["count"]), int(data["head_id"]), str(data["head_hash"]), str(data["at"]), source)


def publication_anchors(session: Session) -> tuple[list[Anchor], list[str]]:
    anchors, problems = [], []
    for pub_id, stored in session.execute(select(Publication.id, Publication.audit_anchors)
                                          .where(Publication.audit_anchors.is_not(None))):
        for data in stored or []:
            source = f"publication {pub_id}"
            if signature_holds(data):
                anchors.append(_anchor(data, source))
            else:
                problems.append(f"{source}: anchor signature does not hold (forged or altered); not trusted")
    return anchors, problems


def verify(session: Session, anchors: Iterable[Anchor] = (), anchor_problems: Iterable[str] = (),
           batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order, then hold it against the anchors (given, and those kept in
    publication records). Every problem is named; ok only when there is none."""
    from_publications, pub_problems = publication_anchors(session)
    by_count: dict[int, list[Anchor]] = {}
    for a in [*anchors, *from_publications]:
        by_count.setdefault(a.count, []).append(a)
    walk = _Walk(audit_key(), by_count)
    last_id = 0
    while True:
        chunk = list(session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)
                                     .order_by(AuditEntry.id).limit(batch)))
        if not chunk:
            break
        for entry in chunk:
            walk.step(entry)
        last_id = chunk[-1].id
        session.expunge_all()
    walk.finish()
    problems = [*anchor_problems, *pub_problems, *walk.problems]
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"… and {len(problems) - MAX_PROBLEMS} more problems")
    return VerifyResult(not problems, walk.checked, sum(len(v) for v in by_count.values()), shown,
                        walk.first_broken)


class _Walk:
    def __init__(self, key: bytes, anchors: dict[int, list[Anchor]]) -> None:
        self.key, self.anchors = key, anchors
        self.expected, self.prev, self.checked = 1, GENESIS, 0
        self.seen: set[int] = set()
        self.problems: list[str] = []
        self.first_broken: int | None = None

    def _broken(self, entry: AuditEntry, problem: str) -> None:
        self.problems.append(problem)
        if self.first_broken is None:
            self.first_broken = entry.id

    def step(self, entry: AuditEntry) -> None:
        where = f"entry #{entry.seq} (id {entry.id})"
        gap = entry.seq > self.expected
        if gap:
            missing = _span(self.expected, entry.seq - 1)
            self._broken(entry, f"{missing} missing (deleted before id {entry.id})")
        elif entry.seq < self.expected:
            self._broken(entry, f"{where}: position out of order (expected #{self.expected}): reordered or duplicated")
        if entry.prev_hash != self.prev and not gap:
            self._broken(entry, f"{where}: link to the previous entry does not hold (entries removed or reordered)")
        row = {name: getattr(entry, name) for name in CONTENT}
        if digest(self.key, entry.prev_hash, entry.seq, row) != entry.hash:
            self._broken(entry, f"{where}: content does not match its keyed hash (edited, forged, or written "
                                "without the audit key)")
        for a in self.anchors.get(entry.seq, ()):
            if (a.head_id, a.head_hash) != (entry.id, entry.hash):
                self._broken(entry, f"{where} differs from the {a.label}: the chain was rewritten after it")
        self.seen.add(entry.seq)
        self.expected, self.prev, self.checked = max(self.expected, entry.seq + 1), entry.hash, self.checked + 1

    def finish(self) -> None:
        last = self.expected - 1
        beyond = [a for count, anchors in self.anchors.items() if count > last for a in anchors]
        if beyond:  # the latest anchor past the end says how much was cut off
            a = max(beyond, key=lambda a: (a.count, a.at))
            if last == 0:
                self.problems.append(f"all {a.count} entries missing: the table is empty, the {a.label} "
                                     f"recorded {a.count}")
            else:
                self.problems.append(f"{_span(last + 1, a.count)} missing: the chain ends at #{last}, the "
                                     f"{a.label} recorded {a.count} (truncated)")
        for count, anchors in sorted(self.anchors.items()):
            if 0 < count <= last and count not in self.seen:
                self.problems.append(f"entry #{count} (head of the {anchors[0].label}) missing")


def _span(first: int, last: int) -> str:
    return f"entry #{first}" if first == last else f"entries #{first}–#{last}"
