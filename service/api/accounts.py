from service.api.auth import roles_required
from service.api.contract import Blueprint, errors
from service.api.ratelimit import rate_limited
from service.domain import accounts
from service.extensions import db
from service.schemas.accounts import AuditEntryOut, AuditQuery, LoginRequest, TokenOut

blp = Blueprint("accounts", __name__, description="登录与审计日志")


@blp.route("/auth/login", methods=["POST"])
@rate_limited("login")
@errors(401)
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
def login(data):
    """Password login for staff; answers a fresh API token. Rate-limited and audited."""
    return {"token": accounts.login(db.session, data["name"], data["password"])}


@blp.route("/audit", methods=["GET"])
@roles_required("auditor", "admin")
@blp.list_response(AuditEntryOut, AuditQuery)
def list_audit_entries(query, window):
    return accounts.list_entries(db.session, query.get("entity_type"), query.get("entity_id"), query.get("action"),
                                 *window)
