from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.domain.privacy import mask_nested
from service.domain.tickets import ACTIONS
from service.models.ticket import COLORS, SOURCES, STATUSES
from service.schemas.common import (
    BaseSchema,
    MaskedText,
    PaginationQuery,
    StrictBoolean,
    StrictInteger,
    Time,
    computed,
    shanghai_iso,
)

RESOLUTIONS = ("immediate", "scheduled", "explained")
APPEAL_REASONS = ("mistaken", "malicious")
# Per action: the fields it needs, and the optional ones it accepts (`note` is accepted by all).
ACTION_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sign": ((), ()),
    "request_return": (("reason",), ()),
    "decide_return": (("approve",), ("reassign_to",)),
    "request_extension": (("working_days", "reason"), ()),
    "decide_extension": (("approve",), ()),
    "reply": (("resolution", "content"), ()),
    "confirm": (("satisfied",), ("rate_token",)),
    "appeal": (("reason", "evidence"), ()),
    "decide_appeal": (("upheld", "note"), ()),
    "verify": ((), ()),
}


class TicketAction(BaseSchema):
    """`{action, ...}`: the fields an action needs are required, fields of other actions refused."""

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(validate=validate.Length(min=1, max=2000))
    approve = StrictBoolean()
    reassign_to = fields.String(validate=validate.Length(min=1, max=32))
    # The configurable ceiling (extension_max_days) is the domain's; this only refuses nonsense.
    working_days = StrictInteger(validate=validate.Range(min=1, max=366))
    resolution = fields.String(validate=validate.OneOf(RESOLUTIONS))
    content = fields.String(validate=validate.Length(min=1, max=5000))
    satisfied = StrictBoolean()
    rate_token = fields.String(validate=validate.Length(min=1, max=64))
    evidence = fields.String(validate=validate.Length(min=1, max=5000))
    upheld = StrictBoolean()
    note = fields.String(validate=validate.Length(max=2000))

    @validates_schema
    def fields_of_action(self, data, **kwargs):
        action = data.get("action")
        if action not in ACTION_FIELDS:
            return
        required, optional = ACTION_FIELDS[action]
        errors = {name: ["缺少必填字段。"] for name in required if name not in data}
        allowed = {"action", "note", *required, *optional}
        errors.update({name: [f"操作 {action} 不接受该字段。"] for name in data if name not in allowed})
        if action == "appeal" and data.get("reason") not in (None, *APPEAL_REASONS):
            errors["reason"] = [f"取值必须是以下之一：{', '.join(APPEAL_REASONS)}。"]
        if errors:
            raise ValidationError(errors)


class HistoryEntry(Schema):
    action = fields.String()
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    actor = fields.String()
    at = Time()
    note = MaskedText(allow_none=True)


def _pending_request_out(request: dict | None) -> dict | None:
    # Stored with its time in UTC (JSON column); returned like every other time, in +08:00.
    if not request or "at" not in request:
        return request
    return {**request, "at": shanghai_iso(datetime.fromisoformat(request["at"]))}


class TicketOut(Schema):
    id = fields.Integer()
    source = fields.String()
    review_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    status = fields.String()
    outcome = fields.String(allow_none=True)
    color = fields.String(allow_none=True, metadata={"description": "green | yellow | red; null once closed"})
    department_code = fields.String()
    dispatched_at = Time()
    sign_due_at = Time()
    signed_at = Time(allow_none=True)
    due_at = Time()
    deadline_provisional = fields.Boolean()
    verify_due_at = Time(allow_none=True)
    verified_at = Time(allow_none=True)
    reminded_at = Time(allow_none=True)
    noticed_at = Time(allow_none=True)
    escalated_at = Time(allow_none=True)
    reopen_count = fields.Integer()
    extension_count = fields.Integer()
    paused_at = Time(allow_none=True)
    # A pending return/extension/appeal request, with the text it carries (reason, evidence) masked.
    pending_request = computed(lambda t: mask_nested(_pending_request_out(t.pending_request)), "object",
                               nullable=True)
    replied_at = Time(allow_none=True)
    reply_resolution = fields.String(allow_none=True)
    reply_content = MaskedText(allow_none=True)
    closed_at = Time(allow_none=True)
    closed_on_time = fields.Boolean(allow_none=True)
    version = fields.Integer()
    history = fields.List(fields.Nested(HistoryEntry))


class TicketListItem(TicketOut):
    class Meta:
        exclude = ("history",)


class TicketQuery(PaginationQuery):
    department = fields.String(validate=validate.Length(min=1, max=32))
    status = fields.String(validate=validate.OneOf(STATUSES))
    color = fields.String(validate=validate.OneOf(COLORS))
    source = fields.String(validate=validate.OneOf(SOURCES))
    provisional = fields.Boolean()

