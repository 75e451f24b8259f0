"""The one error shape: {"error": {"code", "message", "details"}}. Nothing else answers errors."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from service.domain.errors import DomainError
from service.extensions import db

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5

DOMAIN_STATUS = {
    "not_found": 404,
    "validation_error": 422,
    "conflict": 409,
    "already_rated": 409,
    "invalid_transition": 409,
    "unauthorized": 401,
    "forbidden": 403,
    "unavailable": 503,
    "rate_limited": 429,
}

HTTP_CODES = {
    400: ("bad_request", "请求无法解析：请发送 UTF-8 编码的 JSON（Content-Type: application/json）。"),
    401: ("unauthorized", "未认证或令牌无效。"),
    403: ("forbidden", "无权执行此操作。"),
    404: ("not_found", "资源不存在。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "请求与当前状态冲突。"),
    413: ("payload_too_large", "请求体过大。"),
    415: ("bad_request", "不支持的内容类型，请使用 application/json。"),
    422: ("validation_error", "请求参数校验未通过。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    503: ("unavailable", "服务暂不可用，请稍后再试。"),
}

# marshmallow speaks English; citizens and staff read Chinese. Translate at the boundary.
_MESSAGES = [
    (re.compile(r"^Missing data for required field\.$"), "缺少必填字段。"),
    (re.compile(r"^Unknown field\.$"), "未知字段。"),
    (re.compile(r"^Field may not be null\.$"), "不能为空。"),
    (re.compile(r"^Not a valid integer\.$"), "不是有效的整数。"),
    (re.compile(r"^Not a valid number\.$"), "不是有效的数字。"),
    (re.compile(r"^Not a valid string\.$"), "不是有效的字符串。"),
    (re.compile(r"^Not a valid boolean\.$"), "不是有效的布尔值。"),
    (re.compile(r"^Not a valid list\.$"), "不是有效的列表。"),
    (re.compile(r"^Not a valid datetime\.$"), "不是有效的 ISO 8601 时间。"),
    (re.compile(r"^Not a valid date\.$"), "不是有效的日期。"),
    (re.compile(r"^Invalid input type\.$"), "输入类型无效。"),
    (re.compile(r"^Must be one of: (.*)\.$"), r"取值必须是以下之一：\1。"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     r"取值必须在 \1 到 \2 之间。"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"取值必须不小于 \1。"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"取值必须不大于 \1。"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"长度不能超过 \1。"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"长度不能少于 \1。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度必须在 \1 到 \2 之间。"),
    (re.compile(r"^Invalid JSON body\.$"), "请求体不是有效的 JSON。"),
]


def translate(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {str(k): translate(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate(m) for m in messages]
    if isinstance(messages, str):
        for pattern, replacement in _MESSAGES:
            if pattern.match(messages):
                return pattern.sub(replacement, messages)
    return messages


def error_response(status: int, code: str, message: str, details: Any = None, headers=None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _webargs_details(exc: HTTPException) -> dict:
    # flask-smorest/webargs put {"json": {...}} or {"query": {...}} in exc.data["messages"].
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    flat: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
        else:
            flat["_schema"] = location_messages
    return translate(flat)


def handle_http_exception(exc: HTTPException):
    if exc.response is not None:  # already answered in the error shape (e.g. a rate-limit breach)
        return exc.response
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("error", exc.description or "请求失败。"))
    details = _webargs_details(exc)
    if status == 400 and details and "validation" not in code:
        details = {}  # a body that is not JSON has no field to blame
    headers = {}
    if status == 503:
        headers["Retry-After"] = str(getattr(exc, "retry_after", RETRY_AFTER_SECONDS))
    if status == 429:
        headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(status, code, message, details, headers)


def handle_domain_error(exc: DomainError):
    status = DOMAIN_STATUS.get(exc.code, 409)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    if status == 429:  # a locked login: Retry-After from the lockout
        headers = {"Retry-After": str(max(1, int(getattr(exc, "retry_after", 60))))}
    return error_response(status, exc.code, exc.message, translate(exc.details), headers)


# SQLSTATE classes that mean "the database cannot serve now", not "this request is wrong":
# connection exceptions (08), operator intervention / shutdown (57P), insufficient resources
# (53), and a read-only transaction (25006: a replica, or default_transaction_read_only).
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53", "25006")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open", "readonly database", "disk i/o error")


def database_unavailable(exc: SQLAlchemyError) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if type(orig).__module__.startswith("sqlite3"):
        return any(text in str(orig).lower() for text in _SQLITE_UNAVAILABLE)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
    return isinstance(exc, OperationalError | InterfaceError)


def handle_database_error(exc: SQLAlchemyError):
    if not database_unavailable(exc):
        return handle_unexpected(exc)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool replaces it (pre-ping) once the database is back
    # The type and SQLSTATE only: the exception text carries the statement and its parameters.
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    log.warning("database unavailable: %s %s", type(orig).__name__, getattr(orig, "sqlstate", "") or "")
    code, message = HTTP_CODES[503]
    return error_response(503, code, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error")
    return error_response(500, "internal_error", "服务器内部错误，请稍后再试。")


def register_error_handlers(app: Flask) -> None:
    # Registered after flask-smorest's own handler so this shape wins.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
