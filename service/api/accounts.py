from flask_smorest import Blueprint

from service.api.auth import roles_required
from service.api.ratelimit import limit_public
from service.domain import accounts
from service.extensions import db
from service.schemas.accounts import AuditPage, AuditQuery, LoginRequest, TokenOut

blp = Blueprint("accounts", __name__, description="登录与审计日志")


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginRequest)
@blp.response(200, TokenOut)
def login(data):
    """Password login for staff; answers a fresh API token. Rate-limited and audited."""
    limit_public("login")
    return {"token": accounts.login(db.session, data["name"], data["password"])}


@blp.route("/audit", methods=["GET"])
@roles_required("auditor", "admin")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditPage)
def list_audit_entries(query):
    return accounts.list_entries(db.session, query.get("entity_type"), query.get("entity_id"), query.get("action"),
                              query["page"], query["per_page"])
