from marshmallow import Schema, fields, validate

from service.schemas.common import (
    BaseSchema,
    MaskedText,
    PaginationQuery,
    StrictInteger,
    Time,
    computed,
    shanghai_iso,
)
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


# The queue's sources (service.domain.classification.QUEUE_SOURCES; the domain package is imported
# only on use, so scikit-learn stays out of processes that never classify).
QUEUE_SOURCES = ("review", "case")


class ReviewQueueQuery(PaginationQuery):
    source = fields.String(validate=validate.OneOf(QUEUE_SOURCES),
                           metadata={"description": "review | case；不填则两者合并"})


def _tag_names(value: str) -> list[str]:
    return [t for t in value.split(",") if t]


def _department(item) -> str:
    row = item.row
    return row.department.code if item.source == "case" else row.service_event.department.code


class ReviewQueueItem(Schema):
    """A text to label: PUT `label_url` ({"tags": [...]}) with the answer."""

    source = fields.String(metadata={"description": "review | case"})
    id = computed(lambda i: i.row.id, "integer")
    text = MaskedText()
    tags = computed(lambda i: i.row.tags or [], "array", items={"type": "object"},
                    description="[{tag, score}]：模型给出的标签及其分数")
    effective_tags = computed(lambda i: _tag_names(i.row.effective_tags), "array", items={"type": "string"})
    tag_uncertainty = computed(lambda i: i.row.tag_uncertainty, "number", nullable=True,
                               description="模型的不确定度：1 = 某个标签正好在阈值上，0 = 全部明确；排序依据")
    model_version = computed(lambda i: i.row.model_version, "string")
    classified_at = computed(lambda i: shanghai_iso(i.row.classified_at) if i.row.classified_at else None,
                             "string", nullable=True, format="date-time")
    department_code = computed(_department, "string")
    level = computed(lambda i: i.row.level if i.source == "review" else None, "integer", nullable=True)
    case_no = computed(lambda i: i.row.case_no if i.source == "case" else None, "string", nullable=True)
    label_url = computed(lambda i: f"/api/v1/reviews/{i.row.id}/tags" if i.source == "review"
                         else f"/api/v1/hotline/cases/{i.row.id}/tags", "string")
