from marshmallow import Schema, fields, validate

from service.domain.privacy import mask_nested
from service.schemas.common import BaseSchema, MaskedText, PaginationQuery, Time


class LoginRequest(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(validate=validate.Regexp(r"^\s*\d{6,8}\s*$", error="动态验证码为 6–8 位数字。"),
                        metadata={"description": "动态验证码（TOTP）：已启用的账号必填"})


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class AuditQuery(PaginationQuery):
    entity_type = fields.String(validate=validate.Length(max=40))
    entity_id = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.Length(max=40))


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = Time()
    actor = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    from_state = fields.String(attribute="from_state", data_key="from", allow_none=True)
    to_state = fields.String(attribute="to_state", data_key="to", allow_none=True)
    note = MaskedText(allow_none=True)
    data = fields.Function(lambda e: mask_nested(e.data), metadata={"type": "object", "nullable": True})
    prev_hash = fields.String()
    hash = fields.String()



