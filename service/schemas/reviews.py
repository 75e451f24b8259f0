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
    page_schema,
)


class ReviewCreate(BaseSchema):
    rate_token = fields.String(validate=validate.Length(min=1, max=64))
    event_no = fields.String(validate=validate.Length(min=1, max=64))
    level = StrictInteger(required=True, validate=validate.Range(min=1, max=5))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    options = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=20))
    # The configurable limit (REVIEW_TEXT_MAX) is checked by the domain; this is a hard ceiling.
    text = fields.String(validate=validate.Length(max=20000))
    follow_up = StrictBoolean(load_default=False)


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
    department_code = fields.Function(lambda r: r.service_event.department.code)
    channel = fields.String()
    options = fields.List(fields.String())
    options_version = fields.String()
    text = MaskedText(allow_none=True)
    is_default = fields.Boolean()
    real_name = fields.Boolean()
    created_at = fields.DateTime()
    tags = fields.Function(lambda r: r.tags or [])
    human_tags = fields.List(fields.String(), allow_none=True)
    effective_tags = fields.Function(lambda r: [t for t in r.effective_tags.split(",") if t])
    sentiment = fields.Dict(allow_none=True)
    mismatch = fields.Boolean()
    model_version = fields.String(allow_none=True)
    classification_state = fields.String()
    excluded = fields.Boolean()
    excluded_reason = fields.String(allow_none=True)


class ReviewQuery(PaginationQuery):
    department = fields.String()
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


ReviewPage = page_schema(ReviewOut, "ReviewPage")
