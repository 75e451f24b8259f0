"""Blueprint registration and the request guards every API call passes."""

from __future__ import annotations

from flask import Flask, abort, request
from flask_smorest import Api

from service.api import (
    accounts,
    admin,
    appraisal,
    departments,
    health,
    hotline,
    indicators,
    nlp,
    public,
    publications,
    reviews,
    service_events,
    tickets,
)

BODY_METHODS = ("POST", "PUT", "PATCH")
RESOURCES = (accounts, departments, service_events, reviews, indicators, publications, public, appraisal, nlp,
             tickets, hotline, admin)


def register_blueprints(app: Flask, api: Api) -> None:
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in RESOURCES:
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    app.before_request(require_json_body)
    health.install_metrics(app)


def require_json_body():
    """400 bad_request for a body that is not declared JSON, before any schema sees it."""
    if request.method in BODY_METHODS and request.path.startswith("/api/"):
        if request.content_length and request.content_length > request.max_content_length:
            abort(413)
        has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
        if has_body and not request.is_json:
            abort(400)  # an action without a body (approve, resend) needs no content type
