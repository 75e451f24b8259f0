from flask import g

from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint, errors
from service.api.tickets import ticket_env
from service.domain import hotline
from service.extensions import db
from service.models.types import utcnow
from service.schemas.hotline import (
    CallbackCreate,
    CallbackResult,
    CaseCreate,
    CaseCreated,
    CaseOut,
    CaseQuery,
    CaseSummary,
    CaseUnmaskedOut,
    MergeIn,
)
from service.schemas.reviews import HumanTags
from service.schemas.service_events import UnmaskRequest
from workers.queues import CLASSIFY, Call, after_commit

blp = Blueprint("hotline", __name__, description="12345 诉求工单")


@blp.route("/hotline/cases", methods=["POST"])
@roles_required("operator")
@errors(409)
@blp.arguments(CaseCreate)
@blp.response(201, CaseCreated)
@blp.alt_response(200, schema=CaseCreated, description="同一 case_no 与相同内容的重放：已登记的工单")
def create_case(data):
    env = ticket_env()
    view, created = hotline.create_case(db.session, env.settings, env.cipher, g.user, data, utcnow())
    if created:
        after_case_committed(view.id)
    return view, 201 if created else 200


def after_case_committed(case_id: int) -> None:
    after_commit([Call("workers.jobs.classify_case", (case_id,), CLASSIFY)])


@blp.route("/hotline/cases", methods=["GET"])
@roles_required(*STAFF)
@blp.list_response(CaseSummary, CaseQuery)
def list_cases(query, window):
    filters = {k: query.get(k) for k in ("department", "type", "status", "urgency")}
    return hotline.list_cases(db.session, current_scope(), filters, *window)


@blp.route("/hotline/cases/<int:case_id>", methods=["GET"])
@roles_required(*STAFF)
@blp.response(200, CaseOut)
def get_case(case_id):
    return hotline.get_case(db.session, current_scope(), case_id)


@blp.route("/hotline/cases/<int:case_id>/callback", methods=["POST"])
@roles_required("operator")
@errors(409)
@blp.arguments(CallbackCreate)
@blp.response(201, CallbackResult)
def record_callback(data, case_id):
    return hotline.record_callback(db.session, ticket_env(), g.user, case_id, data, utcnow())


@blp.route("/hotline/cases/<int:case_id>/merge", methods=["POST"])
@roles_required("operator")
@errors(409)
@blp.arguments(MergeIn)
@blp.response(200, CaseOut)
def merge_cases(data, case_id):
    """并单: merge open cases of the same department and type under this one."""
    return hotline.merge_cases(db.session, current_scope(), g.user, case_id, data["case_ids"], utcnow())


@blp.route("/hotline/cases/<int:case_id>/tags", methods=["PUT"])
@roles_required("operator", "supervisor")
@blp.arguments(HumanTags)
@blp.response(200, CaseOut)
def label_case(data, case_id):
    """The human tag label of a case: kept beside the model's, wins in figures, taught on retraining."""
    return hotline.set_case_tags(db.session, current_scope(), case_id, data["tags"], g.user)


@blp.route("/hotline/cases/<int:case_id>/unmask", methods=["POST"])
@roles_required("operator", "supervisor")
@blp.arguments(UnmaskRequest)
@blp.response(200, CaseUnmaskedOut)
def unmask_case(data, case_id):
    """The case content and caller contact in full, for a callback; audited with the reason."""
    return hotline.unmask_case(db.session, ticket_env().cipher, current_scope(), case_id, g.user, data["reason"])
