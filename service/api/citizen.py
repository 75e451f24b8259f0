"""The citizen API: what a rating page or mini-program needs for a rate link (no Authorization)."""

from flask import current_app

from service.api.contract import Blueprint
from service.api.ratelimit import rate_limited
from service.domain import citizen, ratings
from service.extensions import db
from service.models.types import utcnow
from service.schemas.citizen import CitizenViewOut

blp = Blueprint("citizen", __name__, description="市民评价链接")


@blp.route("/rate/<string:rate_token>", methods=["GET"])
@rate_limited("citizen")
@blp.response(200, CitizenViewOut)
def rate_link(rate_token):
    """The event, the options per level, what is open and until when, the citizen's own ratings and
    the citizen's view of the event's ticket. Unknown or rotated token ⇒ 404."""
    settings = current_app.extensions["settings"]
    catalog = ratings.load_catalog(settings.rating_options_file)
    return citizen.citizen_view(db.session, settings, catalog, rate_token, utcnow())
