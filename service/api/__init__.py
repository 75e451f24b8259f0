"""Blueprint registration and the request guards every API call passes."""

from __future__ import annotations

from flask import Flask, abort, request
from flask_smorest import Api

from service.api import (
    accounts,
    admin,
    appraisal,
    citizen,
    departments,
    health,
    hotline,
    indicators,
    metrics,
    nlp,
    public,
    publications,
    reviews,
    service_events,
    tickets,
)
from service.api.contract import document_settings, register_components

BODY_METHODS = ("POST", "PUT", "PATCH")
RESOURCES = (accounts, departments, service_events, reviews, citizen, indicators, publications, public, appraisal, nlp,
             tickets, hotline, admin)


def register_blueprints(app: Flask, api: Api) -> None:
    register_components(api)
    for module in RESOURCES:
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    api.register_blueprint(health.blp)  # /healthz, /readyz, /metrics: at the root, documented too
    document_settings(api, app.extensions["settings"])
    app.before_request(require_json_body)
    metrics.install_metrics(app)


def require_json_body():
    """400 bad_request for a body that is not declared JSON, before any schema sees it; 413 for
    one over MAX_BODY_BYTES, declared or (chunked) not. No body at all is for the schema to judge
    (an action like `approve` takes none)."""
    if request.method in BODY_METHODS and request.path.startswith("/api/"):
        if request.content_length and request.content_length > request.max_content_length:
            abort(413)
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if not (request.content_length or chunked):
            return  # an action without a body (approve, resend) needs no content type
        if not request.is_json:
            abort(400)
        if chunked and len(request.get_data(cache=True)) >= request.max_content_length:
            # werkzeug stops reading a chunked body at the limit and hands back the truncated
            # part; a body that reached the limit is one that went past it.
            abort(413)
