"""Bearer-token authentication and role checks for the HTTP layer."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request

from service.api.contract import annotate
from service.api.ratelimit import count_invalid_token, too_many
from service.domain.accounts import Scope, scope_for, user_for_token
from service.extensions import db
from service.models import User
from service.models.types import utcnow

STAFF = ("admin", "operator", "dept_staff", "supervisor")  # auditors read the audit log only


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user(optional: bool = False) -> User | None:
    # Cached per request (not per app context: a test client may reuse one app context).
    if getattr(request, "_feedback_user", None) is not None:
        return request._feedback_user
    token = bearer_token()
    if token is None:
        if optional and "Authorization" not in request.headers:
            return None
        abort(401)
    user = user_for_token(db.session, token, utcnow())
    if user is None:
        reset_at = count_invalid_token()
        abort(401 if reset_at is None else too_many(reset_at))
    request._feedback_user = g.user = user
    return user


def require_role(user: User, roles: tuple[str, ...]) -> None:
    if user.role not in roles:
        abort(403)


def roles_required(*roles: str):
    """Authenticate, then allow only these roles; the user is in flask.g.user. Documents the
    bearer requirement and 401/403 in the OpenAPI document."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_role(current_user(), roles)
            return view(*args, **kwargs)

        annotate(wrapper, auth="required", roles=list(roles))
        return wrapper

    return decorator


def bearer_optional(view):
    """For operations a citizen calls without a token and staff call with one (the view calls
    `current_user(optional=True)` itself): documents both security alternatives."""
    annotate(view, auth="optional", errors=(403,))
    return view


def citizen_or_roles(*roles: str):
    """For endpoints a citizen reaches without a token (rating, confirming): no Authorization
    header ⇒ the citizen's path; a token ⇒ authenticated and one of `roles`, checked before the
    body is read, so a denied role gets 403 and never learns the body's rules. Documented like
    `bearer_optional`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user(optional=True)
            if user is not None:
                require_role(user, roles)
            return view(*args, **kwargs)

        annotate(wrapper, auth="optional", errors=(403,))
        return wrapper

    return decorator


def current_scope() -> Scope:
    return scope_for(g.user)
