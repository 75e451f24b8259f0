from flask import current_app

from service.api.auth import roles_required
from service.api.contract import Blueprint, errors
from service.api.ratelimit import rate_limited
from service.domain import accounts
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models.types import utcnow
from service.schemas.accounts import AuditEntryOut, AuditQuery, LoginRequest, TokenOut

blp = Blueprint("accounts", __name__, description="登录与审计日志")


@blp.route("/auth/login", methods=["POST"])
@rate_limited("login")
@errors(401, 403)
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
def login(data):
    """Password (and TOTP code) login for staff; answers a short-lived API token. Rate-limited per
    address; per account a lockout with backoff (429); audited as a summary, not per attempt."""
    settings = current_app.extensions["settings"]
    cipher = ContactCipher(settings.contact_key, settings.blind_index_key)
    token, expires_at = accounts.login(db.session, settings, cipher, data["name"], data["password"],
                                       data.get("otp"), utcnow())
    return {"token": token, "expires_at": expires_at}


@blp.route("/audit", methods=["GET"])
@roles_required("auditor", "admin")
@blp.list_response(AuditEntryOut, AuditQuery)
def list_audit_entries(query, window):
    return accounts.list_entries(db.session, query.get("entity_type"), query.get("entity_id"), query.get("action"),
                                 *window)
