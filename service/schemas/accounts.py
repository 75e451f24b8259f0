from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, PaginationQuery, Time


class LoginRequest(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    token = fields.String()


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
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()



