"""Shared schema pieces: strict base, pagination, the error shape for the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from service.domain.privacy import mask_free_text
from service.models.types import SHANGHAI

MAX_PER_PAGE = 200


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE  # a client's typo is an error, not silence
        ordered = True


class StrictInteger(fields.Integer):
    """An integer that refuses booleans and numeric strings ("5" and true are not 5)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("不是有效的整数。")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: "yes" or 1 are rejected, so a client's mistake is visible."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 1 == True in Python, so check the type itself
            raise ValidationError("不是有效的布尔值。")
        return value


class MaskedText(fields.String):
    """Free text as every response shows it: phone, ID-card and bank-card numbers inside masked
    (domain.md §2). Operators and supervisors read the whole text through an audited unmask."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(mask_free_text(value), attr, obj, **kwargs)


class PaginationQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ErrorBody(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody)


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
        name=name,
    )


class QueryMoment(fields.Field):
    """A query bound: a date (2026-11-01, start of that day in Asia/Shanghai) or an ISO datetime."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("不是有效的日期或时间。")
        try:
            if len(value) == 10:
                d = date.fromisoformat(value)
                return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError("不是有效的日期或时间（ISO 8601）。") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
