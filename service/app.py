"""The application factory: the base app (service/base.py) plus the HTTP API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from service.api import register_blueprints
from service.api.contract import prepare_api
from service.api.cors import install_cors
from service.api.errors import register_error_handlers
from service.api.ratelimit import init_rate_limits
from service.base import create_base_app
from service.cli import register_commands
from service.extensions import api
from service.logging import install_request_id
from service.web import register_web


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = create_base_app(overrides)
    app.config.update(
        API_TITLE="住建局好差评与12345诉求服务 API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    prepare_api(app, api)
    api.init_app(app)
    register_blueprints(app, api)
    install_cors(app)
    register_web(app)
    init_rate_limits(app)  # after every view exists: it wraps the ones marked @rate_limited
    register_error_handlers(app)
    install_request_id(app)
    register_commands(app)
    return app
