from flask import abort, current_app

from service.api.auth import STAFF, citizen_or_roles, current_scope, current_user, roles_required
from service.api.contract import Blueprint, errors
from service.api.ratelimit import rate_limited
from service.domain import tickets
from service.domain.privacy import ContactCipher
from service.domain.tickets import LoggingSmsNotifier, Notifier
from service.extensions import db
from service.models.types import utcnow
from service.schemas.tickets import TicketAction, TicketListItem, TicketOut, TicketQuery

blp = Blueprint("tickets", __name__, description="整改工单")


def notifier() -> Notifier:
    # Development adapter unless the app (or a test) installed another one.
    return current_app.extensions.setdefault("notifier", LoggingSmsNotifier())


def ticket_env() -> tickets.TicketEnv:
    settings = current_app.extensions["settings"]
    cipher = ContactCipher(settings.contact_key, settings.blind_index_key)
    return tickets.TicketEnv(settings, cipher, notifier())


@blp.route("/tickets", methods=["GET"])
@roles_required(*STAFF)
@blp.list_response(TicketListItem, TicketQuery)
def list_tickets(query, window):
    filters = tickets.TicketFilters(
        department=query.get("department"), status=query.get("status"), color=query.get("color"),
        source=query.get("source"), provisional=query.get("provisional"),
    )
    return tickets.list_tickets(db.session, current_scope(), filters, *window)


@blp.route("/tickets/<int:ticket_id>", methods=["GET"])
@roles_required(*STAFF)
@blp.response(200, TicketOut)
def get_ticket(ticket_id):
    return tickets.get_ticket(db.session, current_scope(), ticket_id)


@blp.route("/tickets/<int:ticket_id>/actions", methods=["POST"])
@citizen_or_roles(*STAFF)
@rate_limited("citizen")
@errors(409)
@blp.arguments(TicketAction)
@blp.response(200, TicketOut)
def act_on_ticket(data, ticket_id):
    """Staff act with a Bearer token; a citizen confirms with the event's rate_token and no token."""
    user = current_user(optional=True)
    if user is None:
        if data["action"] != "confirm":
            abort(401)
        actor = tickets.CITIZEN
    else:
        actor = tickets.Actor.of(user)
    return tickets.perform_action(db.session, ticket_env(), ticket_id, data, actor, utcnow())
