from flask import Response, current_app, g
from flask_smorest import Blueprint
from marshmallow import RAISE

from service.api.auth import STAFF, current_scope, roles_required
from service.domain import indicators
from service.extensions import db
from service.models.types import utcnow
from service.schemas.indicators import IndicatorQuery, IndicatorReportOut

blp = Blueprint("indicators", __name__, description="指标（实时统计）")


@blp.route("/indicators", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(IndicatorQuery, location="query", unknown=RAISE)
@blp.response(200, IndicatorReportOut)
def live_indicators(query):
    """Live figures per department (each with its sub-departments), scoped to the caller."""
    return indicators.compute_indicators(
        db.session, current_app.extensions["settings"], current_scope(), query["period"], utcnow(),
        query.get("department"),
    )


def _export(query, fmt: str) -> Response:
    filename, content, mimetype = indicators.export_indicators(
        db.session, current_app.extensions["settings"], current_scope(), g.user, query["period"],
        query.get("department"), fmt, utcnow(),
    )
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/indicators.csv", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(IndicatorQuery, location="query", unknown=RAISE)
@blp.response(200, content_type="text/csv")
def export_csv(query):
    """The indicator table with scores as CSV (UTF-8 with BOM); the export is audit-logged."""
    return _export(query, "csv")


@blp.route("/indicators.xlsx", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(IndicatorQuery, location="query", unknown=RAISE)
@blp.response(200, content_type=indicators.EXPORT_FORMATS["xlsx"])
def export_xlsx(query):
    """The indicator workbook, one sheet per indicator family; the export is audit-logged."""
    return _export(query, "xlsx")
