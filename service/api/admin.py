from marshmallow import Schema, fields

from service.api.auth import roles_required
from service.api.contract import Blueprint
from service.api.health import READINESS_WARNINGS
from service.domain import provisional
from service.extensions import db
from service.models.types import utcnow
from service.schemas.common import Time

blp = Blueprint("admin", __name__, description="系统管理")


class CalendarYearOut(Schema):
    year = fields.Integer()
    known = fields.Boolean()
    source = fields.String(allow_none=True)
    loaded_at = Time(allow_none=True)
    loaded_by = fields.String(allow_none=True)


class CalendarStatusOut(Schema):
    years = fields.List(fields.Nested(CalendarYearOut))
    provisional_tickets = fields.Integer()
    provisional_appeal_windows = fields.Integer()
    warnings = fields.List(fields.String())


@blp.route("/admin/calendar", methods=["GET"])
@roles_required("admin")
@blp.response(200, CalendarStatusOut)
def calendar_status():
    """Known holiday years; open tickets and appeal windows whose deadlines are provisional."""
    return provisional.calendar_status(db.session, utcnow())


def calendar_warning() -> str | None:
    warnings = provisional.calendar_status(db.session, utcnow())["warnings"]
    return "；".join(warnings) or None


READINESS_WARNINGS["calendar"] = calendar_warning
