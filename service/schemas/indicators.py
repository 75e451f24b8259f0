"""Indicator figures (domain.md §6, api.md "Indicators") and the appraisal scores."""

from marshmallow import Schema, fields, validate

from service.schemas.common import MAX_ID, BaseSchema, PaginationQuery, Time, computed


class IndicatorQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    department = fields.String(validate=validate.Length(min=1, max=32))


class Rate(Schema):
    value = fields.Float(allow_none=True, metadata={"description": "[0,1]，4 位小数；分母为 0 时为 null"})
    numerator = fields.Raw()
    denominator = fields.Integer()


class TagCounts(Schema):
    delay = fields.Integer()
    quality = fields.Integer()
    attitude = fields.Integer()


class TagShares(Schema):
    delay = fields.Nested(Rate)
    quality = fields.Nested(Rate)
    attitude = fields.Nested(Rate)


class Indicators(Schema):
    class Meta:
        ordered = True

    reviews_total = fields.Integer()
    reviews_active = fields.Integer()
    reviews_valid = fields.Integer()
    reviews_excluded = fields.Integer()
    follow_up_reviews = fields.Integer()
    service_events = fields.Integer()
    bad_reviews = fields.Integer(metadata={"description": "差评：首次评价 1–2 星，及首次评价非差评时的追评差评"})
    bad_follow_up_reviews = fields.Integer(metadata={"description": "其中追评差评（另开整改工单）"})
    complaint_cases = fields.Integer()
    overdue_tickets = fields.Integer()
    tag_counts = fields.Nested(TagCounts)
    tag_shares = fields.Nested(TagShares)
    good_rate = fields.Nested(Rate)
    active_good_rate = fields.Nested(Rate)
    bad_rate = fields.Nested(Rate)
    active_rate = fields.Nested(Rate)
    unrated_rate = fields.Nested(Rate)
    bad_callback_rate = fields.Nested(Rate)
    rectification_rate = fields.Nested(Rate)
    rectification_on_time_rate = fields.Nested(Rate)
    reply_rate = fields.Nested(Rate)
    response_rate = fields.Nested(Rate)
    resolution_rate = fields.Nested(Rate)
    callback_satisfaction_rate = fields.Nested(Rate)
    complaint_rate_per_1000 = fields.Float(allow_none=True)
    satisfaction_score = fields.Float(allow_none=True)
    satisfaction_points = fields.Integer(metadata={"description": "Σ(level−1)×25，满意度得分的分子"})


class IndicatorItem(Schema):
    class Meta:
        ordered = True

    department_code = fields.String()
    department_name = fields.String()
    indicators = fields.Nested(Indicators)


class IndicatorReportOut(Schema):
    class Meta:
        ordered = True

    period = computed(lambda r: r.period.label, "string")
    as_of = Time()
    open = fields.Boolean(metadata={"description": "统计周期尚未结束"})
    items = fields.List(fields.Nested(IndicatorItem))


class AppraisalQuery(PaginationQuery):
    period = fields.String(required=True, validate=validate.Length(min=1, max=16))
    version = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))


class AppraisalScore(Schema):
    class Meta:
        ordered = True

    department_code = fields.String()
    department_name = fields.String()
    score = fields.Float(allow_none=True)
    base_score = fields.Float(allow_none=True)
    components = fields.Dict()
    weights = fields.Dict()
    weights_applied = fields.Dict()
    overdue_tickets = fields.Integer()
    overdue_deduction_per_ticket = fields.Float()
    overdue_deduction = fields.Float()
    grade = fields.String(allow_none=True)
    color = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "provisional | under_correction | final"})
    version = fields.Integer()
