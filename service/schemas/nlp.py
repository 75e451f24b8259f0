from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, StrictInteger, Time, computed, shanghai_iso
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
    trained_at = Time(attribute="created_at")
    activated_at = Time(allow_none=True)
    metrics = fields.Dict()
    trained_on = fields.Dict()


class ActiveModels(Schema):
    """The tags model at the top level (the contract's shape); every active model under `models`."""

    version = computed(lambda m: m["tags"].version, "string")
    trained_at = computed(lambda m: shanghai_iso(m["tags"].created_at), "string", format="date-time")
    metrics = computed(lambda m: m["tags"].metrics, "object")
    models = computed(lambda m: {task: ModelInfo().dump(row) for task, row in m.items()}, "object",
                      additionalProperties={"type": "object"})
