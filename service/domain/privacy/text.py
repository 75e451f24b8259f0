"""The masking rules for text: numbers written inside free text, secrets in log lines, and cells
of exported spreadsheets. One place, so every response, export and log line masks alike.

Free text (review text, 12345 case content, replies, notes): mainland mobile and landline numbers,
18-digit ID-card numbers and 16–19-digit bank-card numbers are masked the way contact fields are
(138****8000). A number is recognised with or without the usual separators ("138 0013 8000",
"+86-138-0013-8000", "6222 0212 3456 7890"). Runs that only look like numbers in machine text are
kept: UUIDs (RQ job ids) and long hexadecimal digests (audit hashes, fingerprints).

Log lines additionally mask anything shaped like a secret: our API and rate tokens
(`secrets.token_urlsafe(32)`, 43 characters), TOTP secrets (32 base32 characters) and bearer
credentials — a run of 32 or more URL-safe characters that is neither a UUID nor a hex digest —
and the row values PostgreSQL quotes in its error details.

Spreadsheet cells (CSV and xlsx, OWASP "CSV injection"): a text cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return is never evaluated. In CSV it is prefixed with a single quote; in
xlsx it is written as a string with Excel's own quote prefix (what Excel stores when one types
'=…), so Excel and WPS show it as text.
"""

from __future__ import annotations

import re
from typing import Any

_KEEP = (
    r"(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)"
    r"|(?P<hex>(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z]))"
)
_NUMBERS = (
    # 18-digit resident ID card: 17 digits and a check digit or X.
    r"|(?P<idcard>(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z]))"
    # Bank card: 16–19 digits, optionally grouped by spaces or dashes.
    r"|(?P<card>(?<![\d])\d(?:[ -]?\d){15,18}(?![\d]))"
    # Mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 and separators.
    r"|(?P<mobile>(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\d]))"
    # Landline with an area code: 0xx(x)-xxxxxxx(x).
    r"|(?P<landline>(?<![\d])0\d{2,3}[ -]?\d{7,8}(?![\d]))"
)
# A secret has an upper-case letter or a digit somewhere: long snake_case names in a traceback
# (function names) are not secrets; a 43-character token without either is a 1-in-10^15 case.
_SECRET = r"|(?P<secret>(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z0-9])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-]))"
# PostgreSQL puts row and key values in its error details ("Failing row contains (…)",
# "Key (code)=(…) already exists"); SQLAlchemy's hide_parameters cannot hide those.
_DB_DETAIL = re.compile(r"(DETAIL:\s+)(?:Failing row contains|Key \(|Key\s)[^\n]*")

# Cheap pre-checks (a plain scan, ~20× faster than the full pattern): every number masked above
# has at least 10 digits with at most one separator between two of them; every secret is a run
# of 32 URL-safe characters. Text without either is returned as it is.
_MAYBE_NUMBER = re.compile(r"\d(?:[ -]?\d){9}")
_MAYBE_SECRET = re.compile(r"[A-Za-z0-9_-]{32}")
_FREE_TEXT = re.compile(_KEEP + _NUMBERS)
_LOG_TEXT = re.compile(_KEEP + _NUMBERS + _SECRET)
_DIGITS = re.compile(r"[^\dXx]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _keep_ends(digits: str, head: int, tail: int) -> str:
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


def _digits(number: str) -> str:
    digits = _DIGITS.sub("", number)
    if len(digits) == 13 and digits.startswith("86"):  # +86 mobile
        digits = digits[2:]
    return digits


def _replace(match: re.Match) -> str:
    kind, text = match.lastgroup, match.group()
    if kind in ("uuid", "hex"):
        return text
    if kind == "secret":
        return text[:4] + "…[masked]"
    digits = _digits(text)
    if kind in ("mobile", "landline"):
        return _keep_ends(digits, 3, 4)
    if kind == "idcard":
        return _keep_ends(digits, 3, 4)
    return _keep_ends(digits, 4, 4)  # bank card


def mask_free_text(text: str | None) -> str | None:
    """Review text or case content as a department or an export sees it: phone, ID-card and
    bank-card numbers masked (13800138000 → 138****8000), everything else unchanged."""
    if not text or not _MAYBE_NUMBER.search(text):
        return text
    return _FREE_TEXT.sub(_replace, text)


def mask_nested(value: Any) -> Any:
    """Every string inside a JSON-like value (an audit entry's data, a pending request) masked
    like free text; the structure and the other values unchanged."""
    if isinstance(value, str):
        return mask_free_text(value)
    if isinstance(value, dict):
        return {key: mask_nested(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_nested(item) for item in value]
    return value


def mask_log_text(text: str) -> str:
    """A log line with no personal number and no secret in it (tokens keep 4 characters), and no
    row values from a database error's details."""
    if "DETAIL:" in text:
        text = _DB_DETAIL.sub(r"\1[values hidden]", text)
    if not _MAYBE_NUMBER.search(text) and not _MAYBE_SECRET.search(text):
        return text
    return _LOG_TEXT.sub(_replace, text)


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def spreadsheet_cell(value: Any, quote: bool = True) -> Any:
    """A value safe to put in an exported cell: text masked like free text and, with `quote`
    (CSV), never read as a formula (OWASP: a leading = + - @ tab or CR gets a ' in front).
    Numbers stay numbers. xlsx writers pass quote=False and mark `looks_like_formula` cells."""
    if not isinstance(value, str):
        return value
    value = mask_free_text(value)
    if quote and looks_like_formula(value):
        return "'" + value
    return value
