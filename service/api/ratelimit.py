"""Rate limits with Flask-Limiter, for what citizens and the public reach without a staff token.

Views declare a group with `@rate_limited("citizen" | "public" | "login")`; `init_rate_limits`
gives each app its own Limiter (storage: Redis when REDIS_URL is set, so every worker counts
together; memory otherwise) and applies the group's limits to those views:

- citizen: per rate token (RATE_LIMIT_TOKEN) and, higher, per client address across all citizen
  endpoints (RATE_LIMIT_ADDRESS). A service hall's citizens share one address: one person
  hammering their token is stopped by the token limit long before the hall's ceiling.
  Staff calls (Authorization header) to the same endpoints are not counted here.
- public: per client address (RATE_LIMIT_PUBLIC); login: per address (RATE_LIMIT_LOGIN).
- invalid API tokens: per address (RATE_LIMIT_INVALID_TOKEN), counted by `service.api.auth`;
  past it an invalid token answers 429 instead of 401, valid tokens are never affected.

The client address is `request.remote_addr`, which ProxyFix sets from X-Forwarded-For only for
PROXY_HOPS trusted proxies. If Redis cannot be reached the request is let through and logged:
a citizen's rating matters more than the limit. A breach answers 429 `rate_limited` with
Retry-After in the one error shape.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter, RequestLimit
from limits import parse
from werkzeug.middleware.proxy_fix import ProxyFix

from service.api.contract import annotate
from service.api.errors import HTTP_CODES, error_response

log = logging.getLogger(__name__)
GROUPS = ("citizen", "public", "login")


def _store_options(settings) -> dict:
    # Redis is asked with a short timeout (REDIS_TIMEOUT_MS, like every Redis call of the web
    # process): a hanging store must not hold a citizen's request.
    seconds = max(settings.redis_timeout_ms, 1) / 1000
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds}


def rate_limited(group: str):
    """Mark a view for the limits of `group`; documented as 429 in the OpenAPI document."""
    if group not in GROUPS:
        raise ValueError(f"unknown rate-limit group {group!r}")

    def decorator(view):
        annotate(view, rate_limited=group)
        return view

    return decorator


def client_address() -> str:
    return request.remote_addr or "unknown"


def _rate_token() -> str | None:
    args = request.view_args or {}
    token = args.get("rate_token") or args.get("token")  # the API's path, the pages' path
    if token is None:
        try:  # the schema judges the body later; here any body that does not parse has no token
            body = request.get_json(silent=True)
        except Exception:
            body = None
        token = body.get("rate_token") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


def rate_token_key() -> str:
    """The rate token of this request (path or JSON body), hashed: keys in Redis hold no secret."""
    token = _rate_token() or ""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]


def _has_no_rate_token() -> bool:
    return _rate_token() is None


def _is_staff_call() -> bool:
    return "Authorization" in request.headers


def _breach(limit: RequestLimit):
    if not request.path.startswith("/api/"):
        # A page (/rate/…, /public/…): Flask-Limiter raises its 429 and the page blueprint renders
        # the Chinese page, with Retry-After from `retry_after_seconds`.
        return None
    return too_many(limit.reset_at)


def retry_after_seconds(default: int = 60) -> int:
    """Seconds until the limit this request broke resets (for the pages' 429)."""
    limiter: Limiter | None = current_app.extensions.get("rate_limiter")
    limit = limiter.current_limit if limiter is not None else None
    return max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else default


def too_many(reset_at: float):
    code, message = HTTP_CODES[429]
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return error_response(429, code, message, headers={"Retry-After": str(retry_after)})


def init_rate_limits(app: Flask) -> None:
    settings = app.extensions["settings"]
    if settings.proxy_hops > 0:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    for value in (settings.rate_limit_token, settings.rate_limit_address, settings.rate_limit_public,
                  settings.rate_limit_login, settings.rate_limit_invalid_token):
        parse(value)  # a misspelt limit fails at start, not on the first citizen
    limiter = Limiter(
        key_func=client_address,
        storage_uri=settings.redis_url or "memory://",
        storage_options=_store_options(settings) if settings.redis_url else {},
        strategy="fixed-window",
        swallow_errors=True,  # fail open, logged by flask-limiter ("Failed to rate limit")
        on_breach=_breach,
        key_prefix="rl",
        enabled=settings.rate_limit_enabled,
    )
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        group = getattr(view, "_apidoc", {}).get("contract", {}).get("rate_limited")
        if group:
            app.view_functions[endpoint] = _apply(limiter, settings, group, view)


def _apply(limiter: Limiter, settings, group: str, view):
    if group == "citizen":
        view = limiter.limit(settings.rate_limit_token, key_func=rate_token_key, scope="rate_token",
                             exempt_when=lambda: _is_staff_call() or _has_no_rate_token())(view)
        return limiter.shared_limit(settings.rate_limit_address, scope="citizen_address",
                                    exempt_when=_is_staff_call)(view)
    if group == "public":
        return limiter.shared_limit(settings.rate_limit_public, scope="public_address")(view)
    return limiter.limit(settings.rate_limit_login, scope="login_address")(view)


def count_invalid_token() -> float | None:
    """Count an invalid API token from this address; the reset time once over the limit, else
    None. A store that cannot be reached lets the request through (logged)."""
    limiter: Limiter | None = current_app.extensions.get("rate_limiter")
    if limiter is None or not limiter.enabled:
        return None
    item = parse(current_app.extensions["settings"].rate_limit_invalid_token)
    address = client_address()
    try:
        if limiter.limiter.hit(item, "rl", "invalid_token", address):
            return None
        return limiter.limiter.get_window_stats(item, "rl", "invalid_token", address).reset_time
    except Exception as exc:
        log.warning("rate limit store unreachable, not counting an invalid token: %s", type(exc).__name__)
        return None
