"""Telling citizens and callers about replies and new deadlines: one interface, several adapters.

There is no real SMS gateway here. `LoggingSmsNotifier` is the development adapter: it logs the
masked number and the text, never the number itself. `InMemoryNotifier` records messages for
tests. A production gateway implements the same `send`.

Domain functions collect messages while they change state and send them only after the commit
(`send_all`), so a rolled-back action never tells anybody anything; a failing adapter is logged
and never fails the action that already committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from service.domain.privacy import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    phone: str
    text: str
    kind: str  # reply | deadline | ...


class Notifier(Protocol):
    def send(self, message: Message) -> None: ...


class LoggingSmsNotifier:
    """Development SMS adapter: logs masked numbers only."""

    def send(self, message: Message) -> None:
        log.info("sms to %s (%s): %s", mask_phone(message.phone), message.kind, message.text)


@dataclass
class InMemoryNotifier:
    """Test double: keeps (masked phone, kind, text) so tests can assert who was told what."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append((mask_phone(message.phone) or "", message.kind, message.text))

    def of_kind(self, kind: str) -> list[tuple[str, str, str]]:
        return [m for m in self.sent if m[1] == kind]


def send_all(notifier: Notifier | None, messages: list[Message]) -> int:
    """Send after commit; returns how many went out. One failure does not stop the others."""
    if notifier is None:
        return 0
    sent = 0
    for message in messages:
        try:
            notifier.send(message)
            sent += 1
        except Exception:  # the state change is committed; a lost SMS must not undo it
            log.exception("notification (%s) to %s failed", message.kind, mask_phone(message.phone))
    return sent
