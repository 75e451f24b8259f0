from flask import current_app, g

from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint, errors
from service.domain import ratings
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models.types import utcnow
from service.schemas.service_events import (
    ContactOut,
    ServiceEventCreate,
    ServiceEventIssued,
    ServiceEventOut,
    UnmaskRequest,
)

blp = Blueprint("service_events", __name__, description="办件")


def cipher() -> ContactCipher:
    settings = current_app.extensions["settings"]
    return ContactCipher(settings.contact_key, settings.blind_index_key)


def with_rate_url(event):
    """The link to send the citizen, when this answer issued the token (None on a replay)."""
    token = event.rate_token
    event.rate_url = current_app.extensions["settings"].rate_base_url + token if token else None
    return event


@blp.route("/service-events", methods=["POST"])
@roles_required("intake", "admin", "dept_staff")
@errors(404, 409)  # 404: a replay of another department's event tells nothing
@blp.arguments(ServiceEventCreate)
@blp.response(201, ServiceEventIssued)
@blp.alt_response(200, schema=ServiceEventIssued,
                  description="同一 event_no 与相同内容的重放：已登记的办件（不再带 rate_token，请用 resend）")
def register_service_event(data):
    settings = current_app.extensions["settings"]
    event, created = ratings.register_service_event(
        db.session, settings, cipher(), g.user, data, utcnow()
    )
    return with_rate_url(event), 201 if created else 200


@blp.route("/service-events/<int:event_id>", methods=["GET"])
@roles_required("intake", *STAFF)
@blp.response(200, ServiceEventOut)
def get_service_event(event_id):
    """The event as staff see it: never its rate token (the citizen's key)."""
    return ratings.get_service_event(db.session, current_scope(), event_id)


@blp.route("/service-events/<int:event_id>/resend", methods=["POST"])
@roles_required("intake", "operator")
@blp.response(200, ServiceEventIssued)
def resend_rate_link(event_id):
    """重发评价链接: a fresh rate token and link; the old ones stop working at once (audited)."""
    return with_rate_url(ratings.rotate_rate_token(db.session, current_scope(), event_id, g.user, utcnow()))


@blp.route("/service-events/<int:event_id>/unmask", methods=["POST"])
@roles_required("operator", "supervisor")
@blp.arguments(UnmaskRequest)
@blp.response(200, ContactOut)
def unmask_contact(data, event_id):
    """Full contact data for a callback (回访); audited with the reason given."""
    return ratings.unmask_contact(db.session, cipher(), current_scope(), event_id, g.user, data["reason"])
