"""Masks mainland mobile numbers in every log record, whichever logger or handler emits it."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_installed = False


def mask_text(text: str) -> str:
    return _PHONE.sub(r"\1****\2", text)


def install_contact_mask() -> None:
    """Wrap the record factory once, so records from gunicorn, RQ and our code are all masked."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return record
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
