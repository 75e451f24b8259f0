from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, StrictBoolean, Time, computed

PHONE = validate.Regexp(r"^\+?[0-9 -]{5,20}$", error="电话号码格式不正确。")


class CitizenIn(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=50))
    phone = fields.String(validate=PHONE)
    real_name = StrictBoolean(load_default=False)


class ServiceEventCreate(BaseSchema):
    event_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    department_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    item_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    item_code = fields.String(validate=validate.Length(max=64))
    staff_no = fields.String(validate=validate.Length(max=64))
    channel = fields.String(required=True, validate=validate.OneOf(("window", "online")))
    completed_at = Time(required=True)
    citizen = fields.Nested(CitizenIn)


class CitizenOut(Schema):
    name = fields.String(attribute="citizen_name_masked", allow_none=True)
    phone = fields.String(attribute="citizen_phone_masked", allow_none=True)
    real_name = fields.Boolean(attribute="citizen_real_name")


class ServiceEventOut(Schema):
    id = fields.Integer()
    event_no = fields.String()
    department_code = computed(lambda e: e.department.code, "string")
    item_name = fields.String()
    item_code = fields.String(allow_none=True)
    staff_no = fields.String(allow_none=True)
    channel = fields.String()
    completed_at = Time()
    rate_token_expires_at = Time(metadata={"description": "评价期截止（办结后 RATE_TOKEN_TTL_DAYS 天）"})
    citizen = fields.Function(lambda e: CitizenOut().dump(e), metadata={"type": "object"})
    created_at = Time()


class ServiceEventIssued(ServiceEventOut):
    """The one answer that carries the citizen's rate token: creation (201) and resend. A replay of
    the creation (200) has none — the token was handed out once; ask for a resend instead."""

    rate_token = fields.String(allow_none=True)
    rate_url = fields.String(allow_none=True)


class UnmaskRequest(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ContactOut(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
