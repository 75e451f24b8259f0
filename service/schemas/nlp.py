from marshmallow import Schema, fields, validate

from service.schemas.common import BaseSchema, PaginationQuery, StrictInteger, page_schema
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
    # How unsure the tags model is: 1 = a tag's score on its threshold, 0 = every tag clearly decided.
    tag_uncertainty = fields.Float()
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


# The queue's sources (service.domain.classification.QUEUE_SOURCES; the domain package is imported
# only on use, so scikit-learn stays out of processes that never classify).
QUEUE_SOURCES = ("review", "case")


class ReviewQueueQuery(PaginationQuery):
    source = fields.String(validate=validate.OneOf(QUEUE_SOURCES))


def _tag_names(value: str) -> list[str]:
    return [t for t in value.split(",") if t]


class ReviewQueueItem(Schema):
    """A text to label: PUT /reviews/{id}/tags or PUT /hotline/cases/{id}/tags with the answer."""

    source = fields.String()
    id = fields.Function(lambda i: i.row.id)
    text = fields.String()
    tags = fields.Function(lambda i: i.row.tags or [])
    effective_tags = fields.Function(lambda i: _tag_names(i.row.effective_tags))
    tag_uncertainty = fields.Function(lambda i: i.row.tag_uncertainty)
    model_version = fields.Function(lambda i: i.row.model_version)
    classified_at = fields.Function(lambda i: i.row.classified_at.isoformat() if i.row.classified_at else None)
    department_code = fields.Function(lambda i: i.row.department.code if i.source == "case"
                                      else i.row.service_event.department.code)
    level = fields.Function(lambda i: i.row.level if i.source == "review" else None)
    case_no = fields.Function(lambda i: i.row.case_no if i.source == "case" else None)
    label_url = fields.Function(lambda i: f"/api/v1/reviews/{i.row.id}/tags" if i.source == "review"
                                else f"/api/v1/hotline/cases/{i.row.id}/tags")


ReviewQueuePage = page_schema(ReviewQueueItem, "ReviewQueuePage")
