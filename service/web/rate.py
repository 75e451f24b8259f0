"""The rating pages a citizen opens from the SMS link, a QR code or a hall pad: `/rate/{token}`.

Thin handlers like the API's: read the form, one domain call (`citizen`), render or redirect.
Every form is a plain POST answered by 303 to a page (works without JavaScript); a form with a
mistake is rendered again (422) with the error next to the field and what was typed kept. No
cookie and no CSRF token: the rate token in the URL is the citizen's only credential, and a
forged request would need it.
"""

from __future__ import annotations

import io

import segno
from flask import Response, current_app, redirect, render_template, request, url_for

from service.api.ratelimit import rate_limited
from service.api.reviews import after_review_committed
from service.api.tickets import ticket_env
from service.domain import citizen, ratings
from service.domain.errors import ValidationFailed
from service.extensions import db
from service.models.types import utcnow
from service.web.blueprint import bp, error_page

QR_CHANNEL = "qrcode"


def _settings():
    return current_app.extensions["settings"]


def _catalog():
    return ratings.load_catalog(_settings().rating_options_file)


def _view(token: str) -> citizen.CitizenView:
    return citizen.citizen_view(db.session, _settings(), _catalog(), token, utcnow())


def channel_for(req) -> str:
    """`?c=qrcode` (the QR code's link) or another citizen channel when named; else by device."""
    named = req.args.get("c")
    if named in ratings.CITIZEN_CHANNELS:
        return named
    return "mobile" if "Mobi" in req.headers.get("User-Agent", "") else "pc"


def _page(token: str, view: citizen.CitizenView, status: int = 200, **context):
    context.setdefault("form", citizen.RatingForm(channel=channel_for(request)))
    context.setdefault("errors", {})
    return render_template("rate.html", token=token, view=view, **context), status


@bp.get("/rate/<token>")
@rate_limited("citizen")
def rate_page(token: str):
    view = _view(token)
    if view.gone:
        return error_page(410)
    return _page(token, view)


@bp.post("/rate/<token>")
@rate_limited("citizen")
def rate_submit(token: str):
    form = citizen.RatingForm(
        level=request.form.get("level"), options=request.form.getlist("options"),
        text=request.form.get("text", ""), follow_up=request.form.get("kind") == "follow_up",
        channel=request.form.get("channel") or channel_for(request),
        real_name=request.form.get("real_name") == "1",
    )
    try:
        review = citizen.rate_with_link(db.session, _settings(), _catalog(), token, form, utcnow())
    except ValidationFailed as exc:
        return _page(token, _view(token), 422, form=form, errors=exc.details, message=exc.message)
    after_review_committed(review)  # the same follow-up work as POST /api/v1/reviews
    return redirect(url_for("web.thanks", token=token), 303)


@bp.get("/rate/<token>/thanks")
@rate_limited("citizen")
def thanks(token: str):
    view = _view(token)
    if view.latest_rating is None:
        return redirect(url_for("web.rate_page", token=token), 303)
    return render_template("thanks.html", token=token, view=view)


@bp.post("/rate/<token>/confirm")
@rate_limited("citizen")
def confirm(token: str):
    answer, reason = request.form.get("satisfied"), request.form.get("reason", "")
    try:
        if answer not in ("yes", "no"):
            raise ValidationFailed("请选择满意或不满意。", {"satisfied": ["请选择满意或不满意。"]})
        citizen.confirm_with_link(db.session, ticket_env(), _catalog(), token, answer == "yes", reason, utcnow())
    except ValidationFailed as exc:
        return _page(token, _view(token), 422, confirm_errors=exc.details, reason=reason)
    return redirect(url_for("web.rate_page", token=token, _anchor="ticket"), 303)


@bp.get("/rate/<token>/qrcode.<any(svg, png):kind>")
@rate_limited("citizen")
def qrcode(token: str, kind: str):
    """The event's link as a QR code for a 办件回执 or a hall pad; ratings from it count as `qrcode`."""
    ratings.event_for_token(db.session, token)  # unknown or rotated token ⇒ 404, like the page
    link = f"{_settings().rate_base_url}{token}?c={QR_CHANNEL}"
    code = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=8, border=4, xmldecl=False, svgns=True, title="扫码评价")
        mimetype = "image/svg+xml"
    else:
        code.save(out, kind="png", scale=8, border=4)
        mimetype = "image/png"
    return Response(out.getvalue(), mimetype=mimetype)
