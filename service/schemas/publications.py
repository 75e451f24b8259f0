"""Publication (公示) requests and responses."""

from marshmallow import Schema, fields, validate

from service.schemas.common import MAX_ID, BaseSchema, PaginationQuery, StrictBoolean, Time
from service.schemas.indicators import IndicatorItem


class PublicationCreate(BaseSchema):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(validate=validate.Length(max=2000))


class PublicationListQuery(PaginationQuery):
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
    created_at = Time()
    decided_at = Time(allow_none=True)
    decision_note = fields.String(allow_none=True)


class PublicationOut(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    period = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "draft | published | under_correction | final | superseded"})
    provisional = fields.Boolean()
    reason = fields.String(allow_none=True)
    as_of = Time()
    snapshot_hash = fields.String()
    created_by = fields.String()
    created_at = Time()
    approved_by = fields.String(allow_none=True)
    approved_at = Time(allow_none=True)
    appeal_deadline = Time(allow_none=True)
    appeal_deadline_provisional = fields.Boolean(metadata={"description": "申诉期跨入未加载节假日安排的年度：暂按工作日推算"})
    appeals = fields.List(fields.Nested(AppealOut))
    audit_anchors = fields.List(fields.Dict(), metadata={
        "description": "审计链锚点（冻结、审核时的条目数与链头哈希，已签名）：`flask audit verify` 据此核对"})


class PublicationDetail(PublicationOut):
    items = fields.List(fields.Nested("PublicItem"))


class Empty(BaseSchema):
    """No fields: an optional body that, when sent, must be a JSON object with nothing in it."""


class PublicQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class PublicVersion(Schema):
    version = fields.Integer()
    status = fields.String()
    published_at = Time()
    reason = fields.String(allow_none=True)
    provisional = fields.Boolean()


class PublicItem(IndicatorItem):
    score = fields.Float(allow_none=True)
    color = fields.String(allow_none=True)


class PublicIndicatorsOut(Schema):
    period = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={
        "description": "published（申诉期内）| under_correction（申诉成立，待更正版本）| final | superseded"})
    provisional = fields.Boolean()
    published_at = Time()
    appeal_deadline = Time()
    versions = fields.List(fields.Nested(PublicVersion))
    items = fields.List(fields.Nested(PublicItem))
