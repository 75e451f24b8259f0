from marshmallow import Schema, fields, validate

from service.models.hotline import CASE_STATUSES, CASE_TYPES, SATISFACTION, URGENCIES
from service.schemas.common import (
    BaseSchema,
    Id,
    MaskedText,
    PaginationQuery,
    StrictBoolean,
    Time,
    computed,
    shanghai_iso,
)
from service.schemas.service_events import PHONE


class CallerIn(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=50))
    phone = fields.String(validate=PHONE)
    anonymous = StrictBoolean(load_default=False)


class CaseCreate(BaseSchema):
    case_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.OneOf(CASE_TYPES))
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    content = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    department_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    co_department_codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=20)
    )
    caller = fields.Nested(CallerIn)
    address = fields.String(validate=validate.Length(max=500))
    received_at = Time(required=True)
    event_no = fields.String(validate=validate.Length(min=1, max=64))
    # A consult the operator answered on the call: the answer given (met at intake).
    answer = fields.String(validate=validate.Length(min=1, max=5000))


class CaseCreated(Schema):
    id = fields.Integer()
    case_no = fields.String()
    ticket_id = computed(lambda v: v.ticket.id if v.ticket else None, "integer", nullable=True)
    duplicate_of = computed(lambda v: v.duplicate_of.id if v.duplicate_of else None, "integer", nullable=True)
    duplicate_of_case_no = computed(lambda v: v.duplicate_of.case_no if v.duplicate_of else None, "string",
                                    nullable=True)
    due_at = computed(lambda v: shanghai_iso(v.ticket.due_at) if v.ticket else None, "string", nullable=True,
                      format="date-time")
    deadline_provisional = computed(lambda v: v.ticket.deadline_provisional if v.ticket else None, "boolean",
                                    nullable=True)
    status = fields.String()


class CallerOut(Schema):
    case_id = fields.Integer()
    case_no = fields.String()
    relation = fields.String()
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    anonymous = fields.Boolean()


class CallbackOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    solved = fields.Boolean()
    satisfaction = fields.String()
    unit_at_fault = fields.Boolean()
    valid = fields.Boolean()
    note = MaskedText(allow_none=True)
    created_at = Time()


class CaseSummary(Schema):
    id = fields.Integer()
    case_no = fields.String()
    status = fields.String()
    type = fields.String()
    urgency = fields.String()
    content = MaskedText()
    department_code = computed(lambda v: v.department.code, "string")
    co_department_codes = fields.List(fields.String())
    caller = computed(lambda v: {"name": v.caller_name_masked, "phone": v.caller_phone_masked,
                                 "anonymous": v.caller_anonymous}, "object")
    address = fields.String(allow_none=True)
    received_at = Time()
    event_no = computed(lambda v: v.service_event.event_no if v.service_event else None, "string", nullable=True)
    duplicate_of_id = fields.Integer(allow_none=True)
    parent_case_id = fields.Integer(allow_none=True)
    effective_tags = computed(lambda v: [t for t in v.effective_tags.split(",") if t], "array",
                              items={"type": "string"})
    classification_state = fields.String()
    created_at = Time()


class CaseOut(CaseCreated, CaseSummary):
    ticket_status = computed(lambda v: v.ticket.status if v.ticket else None, "string", nullable=True)
    tags = computed(lambda v: v.tags or [], "array", items={"type": "object"},
                    description="[{tag, score}]：模型给出的标签及其分数")
    human_tags = fields.List(fields.String(), allow_none=True,
                             metadata={"description": "人工标注的标签（PUT /hotline/cases/{id}/tags）；未标注为 null"})
    sentiment = fields.Dict(allow_none=True)
    model_version = fields.String(allow_none=True)
    callers = fields.List(fields.Nested(CallerOut))
    callbacks = fields.List(fields.Nested(CallbackOut))


class CaseQuery(PaginationQuery):
    department = fields.String(validate=validate.Length(min=1, max=32))
    type = fields.String(validate=validate.OneOf(CASE_TYPES))
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    urgency = fields.String(validate=validate.OneOf(URGENCIES))


class CallbackCreate(BaseSchema):
    solved = StrictBoolean(required=True)
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    # 不满意 for a reason outside the unit (policy, the caller's own expectations) is not its fault.
    unit_at_fault = StrictBoolean(load_default=True)
    note = fields.String(validate=validate.Length(max=2000))


class CallbackResult(CallbackOut):
    ticket_id = computed(lambda c: c.ticket.id if getattr(c, "ticket", None) else None, "integer", nullable=True)
    ticket_status = computed(lambda c: c.ticket.status if getattr(c, "ticket", None) else None, "string",
                             nullable=True)


class MergeIn(BaseSchema):
    case_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))


class CallerContactOut(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class CaseUnmaskedOut(Schema):
    """The whole case content and the caller's contact, for an operator or supervisor (audited)."""

    id = fields.Integer()
    content = fields.String()
    caller = fields.Nested(CallerContactOut)
