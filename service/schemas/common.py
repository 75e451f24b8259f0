"""Shared schema pieces: the strict base, ids and bounded integers, the time field, pagination and
the error shape of the OpenAPI document. docs/api-conventions.md says when to use which."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from service.domain.privacy import mask_free_text
from service.models.types import SHANGHAI

MAX_PER_PAGE = 200
# Every id column is a 32-bit integer; larger numbers can name nothing (and would overflow SQLite).
MAX_ID = 2**31 - 1
# Times a citizen or a department can mean: an event completed in year 1 or 9999 is a typo, and
# converting such a time to UTC overflows Python's datetime.
MIN_YEAR, MAX_YEAR = 2000, 2099
# Nesting deeper than this in a request body is refused before anything walks it.
MAX_DEPTH = 32


def _unstorable(text: str) -> str | None:
    """Why a string cannot be stored (PostgreSQL refuses NUL; lone surrogates are not UTF-8)."""
    if "\x00" in text:
        return "不能包含 NUL 字符（\\u0000）。"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "包含无效的 Unicode 字符（孤立的代理项）。"
    return None


def text_errors(data: Any) -> dict[str, list[str]]:
    """Field → message for every string (key or value, at any depth) that cannot be stored, and for
    nesting deeper than MAX_DEPTH. Iterative, so a hostile body cannot exhaust the stack."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            errors[path.split(".")[0] or "_schema"] = [f"嵌套层级不能超过 {MAX_DEPTH}。"]
            continue
        if isinstance(value, str):
            problem = _unstorable(value)
            if problem:
                errors[path or "_schema"] = [problem]
        elif isinstance(value, dict) or hasattr(value, "keys"):
            for key in list(value.keys()):
                problem = _unstorable(str(key))
                name = f"{path}.{key}" if path else str(key)
                if problem:
                    errors[_printable(name)] = [problem]
                    continue
                items = value.getlist(key) if hasattr(value, "getlist") else [value[key]]
                stack.extend((name, item, depth + 1) for item in items)
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}.{i}" if path else str(i), item, depth + 1) for i, item in enumerate(value))
    return errors


def _printable(name: str) -> str:
    return name.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


class BaseSchema(Schema):
    """Every request schema (body and query): unknown fields are errors, and no string that the
    database cannot store (NUL, lone surrogates) or absurd nesting gets past loading."""

    class Meta:
        unknown = RAISE  # a client's typo is an error, not silence
        ordered = True

    @pre_load(pass_collection=True)
    def refuse_unstorable_text(self, data, **kwargs):
        errors = text_errors(data)
        if errors:
            raise ValidationError(errors)
        return data


class StrictInteger(fields.Integer):
    """An integer that refuses booleans and numeric strings ("5" and true are not 5)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("不是有效的整数。")
        return super()._deserialize(value, attr, data, **kwargs)


def Id(**kwargs) -> StrictInteger:  # noqa: N802 (reads as a field type)
    """A reference to a row by its id: 1 … 2³¹−1, anything else cannot exist."""
    return StrictInteger(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: "yes" or 1 are rejected, so a client's mistake is visible."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 1 == True in Python, so check the type itself
            raise ValidationError("不是有效的布尔值。")
        return value


class Time(fields.DateTime):
    """Every time in and out of the API. In: ISO 8601 with an offset (a time without one is
    ambiguous and refused), years MIN_YEAR–MAX_YEAR, loaded as aware UTC. Out: Asia/Shanghai,
    `+08:00`, whatever the stored zone."""

    default_error_messages = {
        "invalid": "不是有效的 ISO 8601 时间。",
        "naive": "时间必须带时区偏移，例如 2026-11-20T10:00:00+08:00。",
        "range": f"时间必须在 {MIN_YEAR} 年到 {MAX_YEAR} 年之间。",
    }

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, str):  # already rendered (e.g. kept in a JSON column)
            value = datetime.fromisoformat(value)
        return shanghai_iso(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        if moment.tzinfo is None:
            raise self.make_error("naive")
        if not MIN_YEAR <= moment.year <= MAX_YEAR:  # checked before converting: year 9999 overflows
            raise self.make_error("range")
        return moment.astimezone(timezone.utc)


def shanghai_iso(value: datetime) -> str:
    """The one way a time leaves the API: ISO 8601 in Asia/Shanghai (`+08:00`)."""
    if value.tzinfo is None:  # stored columns are UTC (service/models/types.py)
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI).isoformat()


class QueryMoment(Time):
    """A query bound: a date (2026-11-01, the start of that day in Asia/Shanghai) or a time with
    an offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) == 10:
            try:
                d = date.fromisoformat(value)
            except ValueError as exc:
                raise self.make_error("invalid") from exc
            if not MIN_YEAR <= d.year <= MAX_YEAR:
                raise self.make_error("range")
            return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).astimezone(timezone.utc)
        return super()._deserialize(value, attr, data, **kwargs)


def computed(func, type_: str, nullable: bool = False, **metadata) -> fields.Function:
    """A value computed from the object, with its type stated for the OpenAPI document."""
    meta = {"type": type_, **metadata}
    if nullable:
        meta["nullable"] = True
    return fields.Function(func, metadata=meta)
class MaskedText(fields.String):
    """Free text as every response shows it: phone, ID-card and bank-card numbers inside masked
    (domain.md §2). Operators and supervisors read the whole text through an audited unmask."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(mask_free_text(value), attr, obj, **kwargs)


class PaginationQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={
        "description": "bad_request | unauthorized | forbidden | not_found | conflict | already_rated "
                       "| invalid_transition | payload_too_large | validation_error | rate_limited "
                       "| unavailable"})
    message = fields.String(required=True, metadata={"description": "给人看的中文说明"})
    details = fields.Dict(required=True, metadata={"description": "字段名 → 问题列表（无字段可指时为空对象）"})


class ErrorSchema(Schema):
    """The one error shape: {"error": {"code", "message", "details"}}."""

    error = fields.Nested(ErrorBody, required=True)


_PAGES: dict[type[Schema], type[Schema]] = {}


def page_schema(item_schema: type[Schema], name: str | None = None) -> type[Schema]:
    """`{"items": [...], "page", "per_page", "total"}` of an item schema (one class per item schema,
    so the OpenAPI document has one component for it)."""
    if item_schema not in _PAGES:
        base = item_schema.__name__.removesuffix("Out").removesuffix("Schema")
        _PAGES[item_schema] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
                "total": fields.Integer(required=True),
            },
            name=name or f"{base}Page",
        )
    return _PAGES[item_schema]
