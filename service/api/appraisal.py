import json

from flask import current_app

from service.api.auth import roles_required
from service.api.contract import Blueprint, errors, page_of
from service.api.public import conditional
from service.domain import indicators
from service.extensions import db
from service.models.types import utcnow
from service.schemas.common import page_schema
from service.schemas.indicators import AppraisalQuery, AppraisalScore

blp = Blueprint("appraisal", __name__, description="绩效考评接口")


@blp.route("/appraisal/scores", methods=["GET"])
@roles_required("appraisal")
@errors(404)
@blp.conditional()
@blp.list_response(AppraisalScore, AppraisalQuery)
def appraisal_scores(query, window):
    """Composite scores with every component and the weights used, one item per department. For
    a published version the figures are frozen: the same period, version and page always give
    the same bytes and ETag."""
    items = indicators.appraisal_scores(db.session, current_app.extensions["settings"],
                                     query["period"], utcnow(), query.get("version"))
    data = page_schema(AppraisalScore)().dump(page_of(items, window))
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return conditional(body, "application/json", private=True)  # it needs a token
