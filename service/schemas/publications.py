"""Publication (公示) requests and responses."""

from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, StrictBoolean
from service.schemas.indicators import IndicatorItem


class PublicationCreate(BaseSchema):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(validate=validate.Length(max=2000))


class PublicationListQuery(BaseSchema):
    period = fields.String(validate=validate.Length(min=1, max=16))


class AppealCreate(BaseSchema):
    department_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=48))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AppealDecision(BaseSchema):
    accepted = StrictBoolean(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AppealOut(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    publication_id = fields.Integer()
    department_code = fields.String()
    indicator = fields.String()
    reason = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)


class PublicationOut(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    period = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "draft | published | final | superseded"})
    provisional = fields.Boolean()
    reason = fields.String(allow_none=True)
    as_of = fields.DateTime()
    snapshot_hash = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    appeal_deadline = fields.DateTime(allow_none=True)
    appeals = fields.List(fields.Nested(AppealOut))
    audit_anchors = fields.List(fields.Dict(), metadata={
        "description": "审计链锚点（冻结、审核时的条目数与链头哈希，已签名）：`flask audit verify` 据此核对"})


class PublicationDetail(PublicationOut):
    items = fields.List(fields.Nested("PublicItem"))


class Empty(BaseSchema):
    """No fields: the body must be a JSON object, and nothing in it is accepted."""


class PublicQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    version = fields.Integer(validate=validate.Range(min=1))


class PublicVersion(Schema):
    version = fields.Integer()
    status = fields.String()
    published_at = fields.DateTime()
    reason = fields.String(allow_none=True)
    provisional = fields.Boolean()


class PublicItem(IndicatorItem):
    score = fields.Float(allow_none=True)
    color = fields.String(allow_none=True)


class PublicIndicatorsOut(Schema):
    period = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "published（申诉期内）| final | superseded"})
    provisional = fields.Boolean()
    published_at = fields.DateTime()
    appeal_deadline = fields.DateTime()
    versions = fields.List(fields.Nested(PublicVersion))
    items = fields.List(fields.Nested(PublicItem))
