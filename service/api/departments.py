from flask import g

from service.api.auth import STAFF, current_scope, roles_required
from service.api.contract import Blueprint, errors
from service.domain.accounts import departments
from service.extensions import db
from service.schemas.departments import DepartmentCreate, DepartmentOut

blp = Blueprint("departments", __name__, description="部门（承办单位）")


@blp.route("/departments", methods=["POST"])
@roles_required("admin")
@errors(409)
@blp.arguments(DepartmentCreate)
@blp.response(201, DepartmentOut)
def create_department(data):
    return departments.create_department(
        db.session, data["code"], data["name"], data.get("parent_code"), actor=g.user.name
    )


@blp.route("/departments", methods=["GET"])
@roles_required(*STAFF)
@blp.list_response(DepartmentOut)
def list_departments(query, window):
    return departments.list_departments(db.session, current_scope(), *window)
