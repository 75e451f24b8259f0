from flask import g
from flask_smorest import Blueprint

from service.api.auth import STAFF, current_scope, roles_required
from service.domain.accounts import departments
from service.extensions import db
from service.schemas.common import PaginationQuery
from service.schemas.departments import DepartmentCreate, DepartmentOut, DepartmentPage

blp = Blueprint("departments", __name__, description="部门（承办单位）")


@blp.route("/departments", methods=["POST"])
@roles_required("admin")
@blp.arguments(DepartmentCreate)
@blp.response(201, DepartmentOut)
def create_department(data):
    return departments.create_department(
        db.session, data["code"], data["name"], data.get("parent_code"), actor=g.user.name
    )


@blp.route("/departments", methods=["GET"])
@roles_required(*STAFF)
@blp.arguments(PaginationQuery, location="query")
@blp.response(200, DepartmentPage)
def list_departments(query):
    return departments.list_departments(db.session, current_scope(), query["page"], query["per_page"])
