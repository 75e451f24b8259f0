"""CORS for the endpoints a citizen's or the public's browser page may call from another origin
(an H5 page on the city's portal): the citizen view, rating, the citizen's confirmation and the
published figures. Only the origins in CORS_ORIGINS (comma-separated; none by default), no
credentials, and no Authorization header: staff calls stay same-origin."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

# Full-path patterns (anchored), so e.g. /reviews/{id}/tags is not opened by /reviews.
CITIZEN_AND_PUBLIC = (
    r"^/api/v1/rate/[^/]+$",
    r"^/api/v1/reviews$",
    r"^/api/v1/tickets/\d+/actions$",
    r"^/api/v1/public/indicators(\.csv)?$",
)


def origins_of(setting: str) -> list[str]:
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]


def install_cors(app: Flask) -> None:
    origins = origins_of(app.extensions["settings"].cors_origins)
    if not origins:
        return
    CORS(app, resources={pattern: {"origins": origins} for pattern in CITIZEN_AND_PUBLIC},
         methods=["GET", "POST"], allow_headers=["Content-Type"], expose_headers=["Retry-After"],
         supports_credentials=False, max_age=600)
