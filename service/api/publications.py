from flask import current_app, g

from service.api.auth import current_scope, roles_required
from service.api.contract import Blueprint, errors
from service.domain.indicators import publications
from service.extensions import db
from service.models.types import utcnow
from service.schemas.publications import (
    AppealCreate,
    AppealDecision,
    AppealOut,
    Empty,
    PublicationCreate,
    PublicationDetail,
    PublicationListQuery,
    PublicationOut,
)

blp = Blueprint("publications", __name__, description="指标公示（双人复核、申诉、版本）")
READERS = ("supervisor", "admin")


@blp.route("/publications", methods=["POST"])
@roles_required("supervisor")
@errors(409)
@blp.arguments(PublicationCreate)
@blp.response(201, PublicationOut)
def create_publication(data):
    """Freeze a period into a draft version (a correction needs a reason once a version is public)."""
    now = utcnow()
    publication = publications.create_publication(
        db.session, current_app.extensions["settings"], data["period"], g.user, now, data.get("reason")
    )
    return publications.describe_publication(db.session, publication, now)


@blp.route("/publications", methods=["GET"])
@roles_required(*READERS)
@blp.list_response(PublicationOut, PublicationListQuery)
def list_publications(query, window):
    now = utcnow()
    page = publications.list_publications(db.session, query.get("period"), now, *window)
    page.items = [publications.describe_publication(db.session, p, now) for p in page.items]
    return page


@blp.route("/publications/<int:publication_id>", methods=["GET"])
@roles_required(*READERS)
@blp.response(200, PublicationDetail)
def get_publication(publication_id):
    """A version with its frozen figures, so the second supervisor reviews what they approve."""
    publication = publications.get_publication(db.session, publication_id)
    return publications.describe_publication(db.session, publication, utcnow(), with_items=True)


@blp.route("/publications/<int:publication_id>/approve", methods=["POST"])
@roles_required("supervisor")
@errors(409)
@blp.arguments(Empty, required=False)
@blp.response(200, PublicationOut)
def approve_publication(_data, publication_id):
    """A second, different supervisor publishes the draft (双人复核)."""
    now = utcnow()
    publication = publications.approve_publication(
        db.session, current_app.extensions["settings"], publication_id, g.user, now
    )
    return publications.describe_publication(db.session, publication, now)


@blp.route("/publications/<int:publication_id>/appeals", methods=["POST"])
@roles_required("dept_staff", "supervisor", "admin")
@errors(409)
@blp.arguments(AppealCreate)
@blp.response(201, AppealOut)
def appeal_publication(data, publication_id):
    """A department appeals a published figure within the appeal window."""
    return publications.file_appeal(db.session, current_scope(), publication_id, data, g.user, utcnow())


@blp.route("/publications/<int:publication_id>/appeals/<int:appeal_id>/decide", methods=["POST"])
@roles_required("supervisor")
@errors(409)
@blp.arguments(AppealDecision)
@blp.response(200, AppealOut)
def decide_appeal(data, publication_id, appeal_id):
    return publications.decide_appeal(db.session, publication_id, appeal_id, data["accepted"],
                                      data["note"], g.user, utcnow())
