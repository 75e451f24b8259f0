from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="编码只能包含字母、数字、下划线和连字符，最长 32 位。")


class DepartmentCreate(BaseSchema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_code = fields.String(load_default=None, allow_none=True, validate=CODE)


class DepartmentOut(Schema):
    code = fields.String()
    name = fields.String()
    parent_code = fields.String(allow_none=True)



