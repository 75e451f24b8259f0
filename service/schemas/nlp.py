from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, StrictInteger
from service.schemas.reviews import TagScore

# A hard ceiling at the schema (the body itself is capped at 64 KB, which answers 413).
NLP_TEXT_MAX = 20000


class ClassifyRequest(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(max=NLP_TEXT_MAX))
    # Optional stars of the rating the text belongs to: enables the mismatch flag.
    level = StrictInteger(validate=validate.Range(min=1, max=5))


class Sentiment(Schema):
    label = fields.String()
    score = fields.Float()


class Dispatch(Schema):
    label = fields.String()
    score = fields.Float()


class ClassifyResult(Schema):
    tags = fields.List(fields.Nested(TagScore))
    sentiment = fields.Nested(Sentiment)
    model_version = fields.String()
    mismatch = fields.Boolean()
    dispatch = fields.Nested(Dispatch, allow_none=True)


class ModelInfo(Schema):
    task = fields.String()
    version = fields.String()
    trained_at = fields.DateTime(attribute="created_at")
    activated_at = fields.DateTime(allow_none=True)
    metrics = fields.Dict()
    trained_on = fields.Dict()


class ActiveModels(Schema):
    """The tags model at the top level (the contract's shape); every active model under `models`."""

    version = fields.Function(lambda m: m["tags"].version)
    trained_at = fields.Function(lambda m: m["tags"].created_at.isoformat())
    metrics = fields.Function(lambda m: m["tags"].metrics)
    models = fields.Function(lambda m: {task: ModelInfo().dump(row) for task, row in m.items()})
