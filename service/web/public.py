"""The public 公示 pages: `/public/` (published periods) and `/public/{period}` (one period's table).

Published figures only, no login, rate-limited like the public API. The table is the source of
truth and needs no JavaScript: its column headers are links that sort on the server. The trend is
server-rendered SVG (service/web/chart.py).
"""

from __future__ import annotations

from flask import render_template, request

from service.api.ratelimit import rate_limited
from service.domain import disclosure
from service.extensions import db
from service.models.types import utcnow
from service.web.blueprint import bp
from service.web.chart import trend_svg


def _cacheable(body: str):
    # Published figures change only with a new version; a minute of caching spares the database.
    return body, 200, {"Cache-Control": "public, max-age=60"}


@bp.get("/public/")
@rate_limited("public")
def public_index():
    return _cacheable(render_template("public_index.html", periods=disclosure.published_periods(db.session, utcnow())))


@bp.get("/public/<period>")
@rate_limited("public")
def public_period(period: str):
    version = request.args.get("version", type=int)
    descending = request.args.get("order") != "asc"
    table = disclosure.published_table(db.session, period, utcnow(), version, request.args.get("sort"), descending)
    return _cacheable(render_template("public_period.html", table=table, columns=disclosure.COLUMNS,
                                      chart=trend_svg(table.trend), version=version))
