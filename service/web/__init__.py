"""The citizen's and the public's pages (ui.md), server-rendered with Jinja2: the rating pages a
rate link opens (`rate.py`), the QR codes of those links, and the public 公示 pages (`public.py`).
Headers, error pages and helpers shared by both are in `blueprint.py`; the pages call the same
domain functions as the citizen and public API (`service.domain.citizen`, `...disclosure`).
"""

from flask import Flask

from service.web import public, rate
from service.web.blueprint import bp

ROUTES = (public, rate)  # imported for their routes on `bp`


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
