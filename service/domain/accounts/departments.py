"""Departments (承办单位) and their hierarchy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.accounts.audit import Entry, record
from service.domain.accounts.users import Scope
from service.domain.errors import Conflict, ValidationFailed
from service.domain.pagination import Page, paginate
from service.models import Department


def create_department(
    session: Session, code: str, name: str, parent_code: str | None, actor: str
) -> Department:
    if department_by_code(session, code) is not None:
        raise Conflict("部门编码已存在。", {"code": ["部门编码已存在。"]})
    parent = None
    if parent_code:
        parent = department_by_code(session, parent_code)
        if parent is None:
            raise ValidationFailed("上级部门不存在。", {"parent_code": ["上级部门不存在。"]})
    path = (parent.path if parent else "/") + code + "/"
    department = Department(code=code, name=name, parent=parent, path=path)
    session.add(department)
    session.flush()
    record(session, Entry(actor=actor, action="department_created", entity_type="department",
                          entity_id=code, data={"name": name, "parent_code": parent_code}))
    session.commit()
    return department


def department_by_code(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def require_department(session: Session, code: str, field: str = "department_code") -> Department:
    department = department_by_code(session, code)
    if department is None:
        raise ValidationFailed("部门不存在。", {field: [f"未知部门编码：{code}"]})
    return department


def subtree_ids(session: Session, scope: Scope, code: str | None = None):
    """A subquery of department ids inside the scope (and under department `code` when given).

    An unknown `code` is a validation error, so a typo never reads as "no data".
    """
    stmt = select(Department.id)
    if not scope.everything:
        stmt = stmt.where(Department.path.startswith(scope.path_prefix, autoescape=True))
    if code:
        department = require_department(session, code, field="department")
        stmt = stmt.where(Department.path.startswith(department.path, autoescape=True))
    return stmt


def list_departments(session: Session, scope: Scope, page: int, per_page: int) -> Page:
    stmt = select(Department).where(Department.id.in_(subtree_ids(session, scope))).order_by(Department.path)
    return paginate(session, stmt, page, per_page)
