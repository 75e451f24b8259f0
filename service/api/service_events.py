from flask import current_app, g

from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint, errors
from service.domain import ratings
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models.types import utcnow
from service.schemas.service_events import ContactOut, ServiceEventCreate, ServiceEventOut, UnmaskRequest

blp = Blueprint("service_events", __name__, description="办件")


def cipher() -> ContactCipher:
    settings = current_app.extensions["settings"]
    return ContactCipher(settings.contact_key, settings.blind_index_key)


def with_rate_url(event):
    event.rate_url = current_app.extensions["settings"].rate_base_url + event.rate_token
    return event


@blp.route("/service-events", methods=["POST"])
@roles_required("intake", "admin", "dept_staff")
@errors(409)
@blp.arguments(ServiceEventCreate)
@blp.response(201, ServiceEventOut)
@blp.alt_response(200, schema=ServiceEventOut, description="同一 event_no 与相同内容的重放：已登记的办件")
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
    return with_rate_url(ratings.get_service_event(db.session, current_scope(), event_id))


@blp.route("/service-events/<int:event_id>/unmask", methods=["POST"])
@roles_required("operator", "supervisor")
@blp.arguments(UnmaskRequest)
@blp.response(200, ContactOut)
def unmask_contact(data, event_id):
    """Full contact data for a callback (回访); audited with the reason given."""
    return ratings.unmask_contact(db.session, cipher(), current_scope(), event_id, g.user, data["reason"])
