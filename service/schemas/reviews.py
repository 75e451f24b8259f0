from marshmallow import Schema, fields, validate

from service.domain.ratings import CHANNELS
from service.models.types import TAGS
from service.schemas.common import (
    BaseSchema,
    MaskedText,
    PaginationQuery,
    QueryMoment,
    StrictBoolean,
    StrictInteger,
    Time,
    computed,
)

TEXT_CEILING = 20000


class ReviewCreate(BaseSchema):
    rate_token = fields.String(validate=validate.Length(min=1, max=64))
    event_no = fields.String(validate=validate.Length(min=1, max=64))
    level = StrictInteger(required=True, validate=validate.Range(min=1, max=5))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    options = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=20))
    # REVIEW_TEXT_MAX (2,000 by default) is enforced by the domain; the OpenAPI document states
    # the configured value (service.api.contract.document_settings). This is only a hard ceiling.
    text = fields.String(validate=validate.Length(max=TEXT_CEILING))
    follow_up = StrictBoolean(load_default=False)
    real_name = StrictBoolean(metadata={"description": "false: 匿名评价（办件登记为实名时可选，默认实名，便于回访）"})


class ReviewCreated(Schema):
    id = fields.Integer()
    event_no = fields.String()
    level = fields.Integer()
    is_bad = fields.Boolean()
    follow_up = fields.Boolean()
    status = fields.Constant("accepted")


class TagScore(Schema):
    tag = fields.String()
    score = fields.Float()


class ReviewOut(ReviewCreated):
    department_code = computed(lambda r: r.service_event.department.code, "string")
    channel = fields.String()
    options = fields.List(fields.String())
    options_version = fields.String()
    text = MaskedText(allow_none=True)
    is_default = fields.Boolean()
    real_name = fields.Boolean()
    created_at = Time()
    tags = computed(lambda r: r.tags or [], "array", items={"type": "object"},
                    description="[{tag, score}]：模型给出的标签及其分数")
    human_tags = fields.List(fields.String(), allow_none=True)
    effective_tags = computed(lambda r: [t for t in r.effective_tags.split(",") if t], "array",
                              items={"type": "string"})
    sentiment = fields.Dict(allow_none=True)
    mismatch = fields.Boolean()
    model_version = fields.String(allow_none=True)
    classification_state = fields.String()
    excluded = fields.Boolean()
    excluded_reason = fields.String(allow_none=True)


class ReviewQuery(PaginationQuery):
    department = fields.String(validate=validate.Length(min=1, max=32))
    level = fields.Integer(validate=validate.Range(min=1, max=5))
    tag = fields.String(validate=validate.OneOf(TAGS))
    bad = fields.Boolean()
    from_ = QueryMoment(data_key="from")
    to = QueryMoment()


class HumanTags(BaseSchema):
    tags = fields.List(fields.String(validate=validate.OneOf(TAGS)), required=True)


class ReviewTextOut(Schema):
    """The whole review text, for an operator or supervisor who gave a reason (audited)."""

    id = fields.Integer()
    text = fields.String(allow_none=True)
