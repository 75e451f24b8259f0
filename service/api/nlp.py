from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint
from service.extensions import db
from service.schemas.nlp import (
    ActiveModels,
    ClassifyRequest,
    ClassifyResult,
    ReviewQueueItem,
    ReviewQueueQuery,
)

blp = Blueprint("nlp", __name__, description="文本分类（标签、情感）")


def _classification():
    # Imported on first use: scikit-learn and jieba stay out of processes that never classify.
    from service.domain import classification

    return classification


@blp.route("/nlp/classify", methods=["POST"])
@roles_required(*STAFF)
@blp.arguments(ClassifyRequest)
@blp.response(200, ClassifyResult)
def classify(data):
    """Tags, sentiment and the mismatch flag of one text, by the active models (503 before any)."""
    return _classification().classify_text(db.session, data["text"], data.get("level"))


@blp.route("/nlp/model", methods=["GET"])
@roles_required(*STAFF)
@blp.response(200, ActiveModels)
def active_model():
    """The active tags model (version, trained_at, held-out metrics); all active models in `models`."""
    return _classification().active_model_info(db.session)


@blp.route("/nlp/review-queue", methods=["GET"])
@roles_required("operator", "supervisor")
@blp.list_response(ReviewQueueItem, ReviewQueueQuery)
def review_queue(query, window):
    """Classified review and 12345 case texts without a human label, the ones the tags model is
    least sure about first (`source` = review | case; both when absent)."""
    return _classification().review_queue(db.session, current_scope(), query.get("source"), *window)
