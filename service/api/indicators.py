from flask import Response, current_app, g

from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint
from service.domain import indicators
from service.extensions import db
from service.models.types import utcnow
from service.schemas.indicators import IndicatorQuery, IndicatorReportOut

blp = Blueprint("indicators", __name__, description="指标（实时统计）")


@blp.route("/indicators", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(IndicatorQuery, location="query")
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
@blp.arguments(IndicatorQuery, location="query")
@blp.download("text/csv", "指标表（UTF-8 带 BOM 的 CSV，附件）")
def export_csv(query):
    """The indicator table with scores as CSV (UTF-8 with BOM); the export is audit-logged."""
    return _export(query, "csv")


@blp.route("/indicators.xlsx", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(IndicatorQuery, location="query")
@blp.download(indicators.EXPORT_FORMATS["xlsx"], "指标工作簿（xlsx，附件）")
def export_xlsx(query):
    """The indicator workbook, one sheet per indicator family; the export is audit-logged."""
    return _export(query, "xlsx")
