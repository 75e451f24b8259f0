"""Logging: JSON lines with a request id, and no personal data or secret in any of them.

Three layers, because a log line is made in three places:

* the record factory (installed once per process) masks every record's message when it is made —
  from our code, gunicorn, RQ, SQLAlchemy or a library — and its traceback and stack text, so even
  a handler we did not configure never sees a phone number or a token;
* the formatters mask what they add (tracebacks formatted later, `extra` fields), value by value
  before JSON encoding, so an escape such as \\u0000 can never hide a number from the mask;
* SQLAlchemy is told to hide statement parameters (service/base.py), so a failed INSERT never
  puts a citizen's text into an exception message in the first place.

The rules themselves (phone, ID-card and bank-card numbers; token-shaped runs; UUIDs and hex
digests kept intact so RQ job ids and audit hashes stay usable) live in service.domain.privacy.
Each line carries `request_id` (HTTP) or `job_id` (RQ) so one request or job can be followed.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from service.domain.privacy import mask_log_text

_installed = False
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


def mask_text(text: str) -> str:
    return mask_log_text(text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_log_text(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(v) for v in value]
    return value


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a record in place: its message (arguments merged in), traceback text and stack."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging module's to report
        return record
    masked = mask_log_text(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when it is set: they print the masked traceback.
        record.exc_text = mask_log_text(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info)
    return record


def install_contact_mask() -> None:
    """Wrap the record factory once, so records from gunicorn, RQ and our code are all masked."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


class ContextFilter(logging.Filter):
    """Adds `request_id` (inside a request) and `job_id` (inside an RQ job) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        if not hasattr(record, "job_id"):
            record.job_id = _current_job_id()
        return True


def _current_job_id() -> str | None:
    try:
        from rq import get_current_job  # the web process has rq installed but runs no job
    except ImportError:  # pragma: no cover
        return None
    job = get_current_job()
    return job.id if job is not None else None


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, job_id, exc_info."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return mask_log_text(super().formatException(ei))

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _mask_value(value) for key, value in super().process_log_record(log_data).items()}


class TextFormatter(logging.Formatter):
    """Plain lines for a developer's terminal (LOG_FORMAT=text), masked the same way."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return mask_log_text(super().format(record))


def build_handler(log_format: str = "json", stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler._feedback = True  # marks the handler as ours, so configuring twice adds nothing
    return handler


def configure_logging(log_level: str = "INFO", log_format: str = "json") -> None:
    """Install the mask, and a JSON handler on the root logger unless one of ours (or gunicorn's
    logconfig_dict, which uses the same classes) is already there."""
    install_contact_mask()
    root = logging.getLogger()
    if not any(getattr(h, "_feedback", False) or isinstance(h.formatter, JsonFormatter | TextFormatter)
               for h in root.handlers):
        root.addHandler(build_handler(log_format))
    root.setLevel(log_level.upper())


def install_request_id(app: Flask) -> None:
    """Every request gets an id (a sane one from the proxy's X-Request-ID, else a fresh one),
    carried by its log lines and echoed in the response."""

    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
