"""The citizen's view of a rate link (GET /api/v1/rate/{rate_token}). Times in +08:00."""

from marshmallow import Schema, fields

from service.models.types import SHANGHAI


class ShanghaiDateTime(fields.DateTime):
    """ISO 8601 with the +08:00 offset: every citizen is in Asia/Shanghai."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(SHANGHAI).isoformat()


class OptionOut(Schema):
    code = fields.String()
    label = fields.String()


class EventOut(Schema):
    item_name = fields.String()
    department_name = fields.String()
    completed_at = ShanghaiDateTime()


class RatingOut(Schema):
    level = fields.Integer()
    is_bad = fields.Boolean()
    follow_up = fields.Boolean()
    is_default = fields.Boolean(metadata={"description": "系统默认评价（未主动评价）"})
    options = fields.List(fields.Nested(OptionOut))
    text = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()


class WindowOut(Schema):
    open = fields.Boolean()
    until = ShanghaiDateTime(allow_none=True)


class ReplyOut(Schema):
    resolution = fields.String(metadata={"description": "immediate 立行立改 | scheduled 限期整改 | explained 解释说明"})
    content = fields.String()
    replied_at = ShanghaiDateTime()


class CitizenTicketOut(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "确认时 POST /tickets/{id}/actions 所用；pending 时为 null"})
    status = fields.String(metadata={"description": "pending | processing | replied | closed"})
    department_name = fields.String(metadata={"description": "当前承办单位"})
    due_at = ShanghaiDateTime(metadata={"description": "当前答复期限（pending 时为预计期限）"})
    reopen_count = fields.Integer()
    reply = fields.Nested(ReplyOut, allow_none=True)
    may_confirm = fields.Boolean()
    outcome = fields.String(allow_none=True)
    closed_at = ShanghaiDateTime(allow_none=True)


class CitizenViewOut(Schema):
    class Meta:
        ordered = True

    event = fields.Nested(EventOut)
    options_version = fields.String()
    options = fields.Function(
        lambda view: {str(level): OptionOut(many=True).dump(choices) for level, choices in view.levels.items()},
        metadata={"description": "每个评价等级（\"1\"…\"5\"）可选的评价内容"},
    )
    rating = fields.Nested(WindowOut, attribute="rating_window", metadata={"description": "首次评价是否开放、截止时间"})
    follow_up = fields.Nested(WindowOut, attribute="follow_up_window", metadata={"description": "追评是否开放、截止时间"})
    my_rating = fields.Nested(RatingOut, attribute="rating", allow_none=True)
    my_follow_up = fields.Nested(RatingOut, attribute="follow_up", allow_none=True)
    ticket = fields.Nested(CitizenTicketOut, allow_none=True)
    real_name_offered = fields.Boolean(
        metadata={"description": "办件登记为实名：评价时可选择匿名（POST /reviews 的 real_name=false）"})

