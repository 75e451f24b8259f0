from flask import current_app, g

from service.api.auth import STAFF, citizen_or_roles, current_scope, current_user, roles_required
from service.api.contract import Blueprint, errors
from service.api.ratelimit import rate_limited
from service.domain import ratings
from service.extensions import db
from service.models.types import utcnow
from service.schemas.reviews import (
    HumanTags,
    ReviewCreate,
    ReviewCreated,
    ReviewOut,
    ReviewQuery,
    ReviewTextOut,
)
from service.schemas.service_events import UnmaskRequest
from workers.queues import CLASSIFY, TICKETS, Call, after_commit

blp = Blueprint("reviews", __name__, description="评价（好差评）")


# Schema instances, not classes: webargs builds a new schema from a class on every request, which
# cost a fifth of the hot path's CPU (issue 13's profile). Loading and dumping are thread-safe.
@blp.route("/reviews", methods=["POST"])
@citizen_or_roles("operator")
@rate_limited("citizen")
@errors(404, 409)
@blp.arguments(ReviewCreate())
@blp.response(201, ReviewCreated())
@blp.alt_response(200, schema=ReviewCreated,
                  description="代评重复提交（同一请求体）：返回已存储的评价")
def submit_review(data):
    """A citizen rates with the event's rate_token; an operator (Bearer token) rates by event_no."""
    operator = current_user(optional=True)
    settings = current_app.extensions["settings"]
    review, created = ratings.submit_review(
        db.session, settings, ratings.load_catalog(settings.rating_options_file), data, utcnow(), operator
    )
    if not created:
        return review, 200  # the operator's call again with the same body (idempotent)
    after_review_committed(review)
    return review


def after_review_committed(review) -> None:
    # Only after the commit: a job must never look for a row that is not there yet. Inline without
    # Redis; with Redis the dispatcher picks the pending review up (workers.queues.after_commit).
    calls = []
    if review.classification_state == "pending":
        calls.append(Call("workers.jobs.classify_review", (review.id,), CLASSIFY))
    if review.ticket_state == "pending":
        calls.append(Call("workers.jobs.open_ticket_for_review", (review.id,), TICKETS))
    after_commit(calls)


@blp.route("/reviews", methods=["GET"])
@roles_required(*STAFF)
@blp.list_response(ReviewOut, ReviewQuery)
def list_reviews(query, window):
    filters = ratings.ReviewFilters(
        department=query.get("department"), level=query.get("level"), tag=query.get("tag"),
        bad=query.get("bad"), date_from=query.get("from_"), date_to=query.get("to"),
    )
    return ratings.list_reviews(db.session, current_scope(), filters, *window)


@blp.route("/reviews/<int:review_id>", methods=["GET"])
@roles_required(*STAFF)
@blp.response(200, ReviewOut)
def get_review(review_id):
    return ratings.get_review(db.session, current_scope(), review_id)


@blp.route("/reviews/<int:review_id>/tags", methods=["PUT"])
@roles_required("operator", "supervisor")
@blp.arguments(HumanTags)
@blp.response(200, ReviewOut)
def label_review(data, review_id):
    return ratings.set_human_tags(db.session, current_scope(), review_id, data["tags"], g.user)


@blp.route("/reviews/<int:review_id>/unmask", methods=["POST"])
@roles_required("operator", "supervisor")
@blp.arguments(UnmaskRequest)
@blp.response(200, ReviewTextOut)
def unmask_review_text(data, review_id):
    """The review text with the numbers inside it unmasked, for a callback; audited with the reason."""
    return ratings.unmask_review_text(db.session, current_scope(), review_id, g.user, data["reason"])
