"""The pages' blueprint: templates and static files, security headers, Chinese error pages.

Every page answer carries `Referrer-Policy: no-referrer` (the rate token is in the URL) and a
strict Content-Security-Policy: scripts, styles and images from this app only, no inline script or
style, forms post only here, no framing. The pages make no third-party request of any kind.
Errors raised by a page handler become a short Chinese page with the right status — never JSON,
never a stack trace — and name the 12345 hotline as the way to still be heard.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from service.api.ratelimit import retry_after_seconds
from service.domain.citizen import LinkExpired
from service.domain.errors import DomainError, NotFound
from service.models.types import utcnow
from service.web import format as fmt

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

# status → (page title, what happened in one sentence)
ERROR_PAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回后重新操作。"),
    403: ("无法操作", "该链接不能执行此操作。"),
    404: ("评价链接无效", "该评价链接无效或已失效（重新发送链接后，旧链接即停止使用）。"),
    409: ("无需重复提交", "该办件已评价。"),
    410: ("评价期限已过", "该办件的评价期限已过，链接已停止使用。"),
    413: ("提交内容过长", "提交的内容过长，请精简后再试。"),
    429: ("访问过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("系统繁忙", "系统暂时无法处理您的请求，请稍后再试。"),
}


@cache
def _fingerprint(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def asset(filename: str) -> str:
    """The URL of a static file with its content hash, so a new release is never served stale."""
    return url_for("web.static", filename=filename, v=_fingerprint(filename))


@bp.app_template_global()
def site() -> dict:
    settings = current_app.extensions["settings"]
    return {"bureau": settings.bureau_name, "hotline": settings.hotline_number}


@bp.context_processor
def helpers() -> dict:
    return {"asset": asset, "fmt": fmt, "now": utcnow(), "LEVELS": fmt.LEVELS, "LEVEL_ORDER": fmt.LEVEL_ORDER}


@bp.after_request
def security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.path.startswith("/rate/"):
        # A citizen's own rating and the department's reply: never kept by a shared cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def error_page(status: int, message: str | None = None, back: str | None = None, title: str | None = None):
    default_title, default = ERROR_PAGES.get(status, ERROR_PAGES[500])
    body = render_template("error.html", title=title or default_title, message=message or default, back=back,
                           status=status)
    return body, status


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    token = (request.view_args or {}).get("token")
    if token is None:  # a public page: an unknown or unpublished period
        return error_page(404, exc.message, title="未找到公示内容")
    back = url_for("web.rate_page", token=token)
    if isinstance(exc, LinkExpired):
        return error_page(410, exc.message)
    if isinstance(exc, NotFound):
        return error_page(404)
    if exc.code == "forbidden":
        return error_page(403, exc.message, back)
    if exc.code == "validation_error":  # a rule the page's own form checks could not show in place
        return error_page(400, exc.message, back)
    return error_page(409, exc.message, back)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    response = error_page(exc.code or 500)
    if exc.code == 429:
        return response[0], 429, {"Retry-After": str(retry_after_seconds())}
    return response


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    log.exception("unhandled error on a page")
    return error_page(500)
