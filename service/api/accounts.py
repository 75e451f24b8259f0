from flask import current_app
from flask_smorest import Blueprint

from service.api.auth import roles_required
from service.api.ratelimit import limit_public
from service.domain import accounts
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models.types import utcnow
from service.schemas.accounts import AuditPage, AuditQuery, LoginRequest, TokenOut

blp = Blueprint("accounts", __name__, description="登录与审计日志")


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
def login(data):
    """Password (and TOTP code) login for staff; answers a short-lived API token. Rate-limited per
    address; per account a lockout with backoff (429); audited as a summary, not per attempt."""
    limit_public("login")
    settings = current_app.extensions["settings"]
    token, expires_at = accounts.login(db.session, settings, ContactCipher(settings.contact_key, settings.blind_index_key),
                                       data["name"], data["password"], data.get("otp"), utcnow())
    return {"token": token, "expires_at": expires_at}


@blp.route("/audit", methods=["GET"])
@roles_required("auditor", "admin")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditPage)
def list_audit_entries(query):
    return accounts.list_entries(db.session, query.get("entity_type"), query.get("entity_id"), query.get("action"),
                              query["page"], query["per_page"])
