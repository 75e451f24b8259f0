import json

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE

from service.api.auth import roles_required
from service.api.public import conditional
from service.domain import indicators
from service.extensions import db
from service.models.types import utcnow
from service.schemas.indicators import AppraisalQuery, AppraisalScore

blp = Blueprint("appraisal", __name__, description="绩效考评接口")


@blp.route("/appraisal/scores", methods=["GET"])
@roles_required("appraisal")
@blp.arguments(AppraisalQuery, location="query", unknown=RAISE)
@blp.response(200, AppraisalScore(many=True))
def scores(query):
    """Composite scores with every component and the weights used. For a published version the
    figures are frozen: the same period and version always give the same bytes and ETag."""
    items = indicators.appraisal_scores(db.session, current_app.extensions["settings"],
                                     query["period"], utcnow(), query.get("version"))
    data = AppraisalScore(many=True).dump(items)
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return conditional(body, "application/json", private=True)  # it needs a token
