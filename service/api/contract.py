"""The contract machinery every endpoint goes through (docs/api-conventions.md).

`Blueprint` (use it instead of flask_smorest's) makes every operation of the OpenAPI document say
what the code does:
- query strings are parsed strictly: an unknown parameter is 422 (flask-smorest's default drops
  it silently), also on endpoints that take no query at all;
- every operation gets an `operationId` (the view function's name), its security requirement
  (from `service.api.auth`'s decorators) and every error status it can answer, each with the one
  error body (`ErrorSchema`) — 422 and 503 everywhere, 400/413 with a body, 401/403/429 with a
  token, 404 with a path id, and what `errors(...)` adds;
- `list_response` paginates a list the one way (`{"items", "page", "per_page", "total"}`);
- `download` declares a file's media type.
"""

from __future__ import annotations

import json
from copy import deepcopy
from functools import wraps
from typing import Any, NamedTuple

import flask_smorest
from flask import abort, request
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from service.domain.errors import ValidationFailed
from service.schemas.common import MAX_ID, ErrorSchema, PaginationQuery, page_schema

BODY_METHODS = ("post", "put", "patch")
RETRY_AFTER = {"description": "秒数：多久之后再试", "schema": {"type": "integer", "minimum": 1}}
# status → (component name, description); the body of each is ErrorSchema.
ERROR_RESPONSES = {
    400: ("BadRequest", "请求无法解析（不是 JSON、内容类型错误）：bad_request"),
    401: ("Unauthorized", "未认证或令牌无效：unauthorized"),
    403: ("Forbidden", "角色无权执行：forbidden"),
    404: ("NotFound", "资源不存在或不在调用者的范围内：not_found"),
    409: ("Conflict", "与当前状态冲突：conflict | already_rated | invalid_transition"),
    413: ("PayloadTooLarge", "请求体超过 64 KB：payload_too_large"),
    422: ("ValidationError", "参数校验未通过（details 指明字段）：validation_error"),
    429: ("RateLimited", "请求过于频繁（Retry-After 秒后再试）：rate_limited"),
    503: ("Unavailable", "数据库等依赖暂不可用（Retry-After 秒后再试）：unavailable"),
}


class StrictParser(FlaskParser):
    # webargs drops unknown query parameters by default; here each schema's Meta.unknown (RAISE
    # for BaseSchema) decides for every location, so a misspelt filter is an error, not silence.
    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, Any] = {}

    def _raw_load_json(self, req):
        # Valid JSON that Python refuses to load must not become a 500: an integer of more than
        # 4,300 digits (ValueError) is 422, nesting past the interpreter's stack is 400.
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except ValueError as exc:
            raise ValidationFailed("请求参数校验未通过。", {"_schema": ["数字位数过多。"]}) from exc
        except RecursionError:
            abort(400)


class IdConverter(IntegerConverter):
    """`<int:...>` path ids: 1 … 2³¹−1. Anything beyond names no row and would overflow SQLite's
    binding, so the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class Window(NamedTuple):
    """The page a list call asked for; `*window` passes (page, per_page) to a domain list function."""

    page: int
    per_page: int


class ListPage(NamedTuple):
    items: list
    page: int
    per_page: int
    total: int


def page_of(items: list, window: Window) -> ListPage:
    """Paginate a list that the domain returns whole (short by nature, e.g. one row per department)."""
    start = (window.page - 1) * window.per_page
    return ListPage(items[start:start + window.per_page], window.page, window.per_page, len(items))


def annotate(func, **contract) -> None:
    """Record contract facts about a view (auth, extra error statuses, rate limits) for the
    document. `_apidoc` is copied first: wrappers share their wrapped function's dict."""
    doc = deepcopy(getattr(func, "_apidoc", {}))
    entry = doc.setdefault("contract", {})
    for key, value in contract.items():
        if key == "errors":
            entry["errors"] = sorted(set(entry.get("errors", ())) | set(value))
        else:
            entry[key] = value
    func._apidoc = doc


def errors(*statuses: int):
    """Declare error statuses the domain call can answer beyond the automatic ones, e.g.
    `@errors(404, 409)` on a create that looks up a token and may conflict."""

    def decorator(view):
        annotate(view, errors=statuses)
        return view

    return decorator


def _takes_query(func) -> bool:
    params = getattr(func, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(p.get("in") == "query" for p in params)


def _refuse_query(view):
    """For a view without a query schema: any query parameter is unknown, hence 422."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.args:
            raise ValidationFailed("请求参数校验未通过。", {name: ["未知字段。"] for name in request.args})
        return view(*args, **kwargs)

    return wrapper


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_contract_doc)

    def route(self, rule, *, parameters=None, tags=None, **options):
        def decorator(func):
            view = func if _takes_query(func) else _refuse_query(func)
            annotate(view, operation_id=func.__name__, path_ids="<" in rule)
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, view, parameters=parameters, tags=tags, **options)
            return func

        return decorator

    def list_response(self, item_schema, query_schema=PaginationQuery):
        """A paginated list: parses `query_schema` (a PaginationQuery) and calls the view as
        `view(query, window)`; the view returns a domain `Page` (or `page_of(list, window)`)."""

        def decorator(view):
            @wraps(view)
            def wrapper(query, *args, **kwargs):
                window = Window(query.pop("page"), query.pop("per_page"))
                return view(query, window, *args, **kwargs)

            wrapper = self.response(200, page_schema(item_schema))(wrapper)
            return self.arguments(query_schema, location="query")(wrapper)

        return decorator

    @staticmethod
    def download(media_type: str, description: str):
        """Document a file answer (CSV, xlsx): its media type and that the body is the file."""
        # A text file (CSV) is a string; anything else is bytes.
        schema = {"type": "string"} if media_type.startswith("text/") else {"type": "string", "format": "binary"}
        return flask_smorest.Blueprint.doc(responses={"200": {
            "description": description, "content": {media_type: {"schema": schema}}}})

    @staticmethod
    def conditional():
        """Document the 304 of an ETag-validated answer (If-None-Match)."""
        return flask_smorest.Blueprint.doc(responses={"304": {"description": "未修改（If-None-Match 与 ETag 相符）"}})

    @staticmethod
    def _prepare_contract_doc(doc, doc_info, *, method, **kwargs):
        contract = doc_info.get("contract", {})
        doc["operationId"] = contract["operation_id"]
        auth = contract.get("auth")
        if auth == "required":
            doc["security"] = [{"bearerAuth": []}]
        elif auth == "optional":
            doc["security"] = [{}, {"bearerAuth": []}]
        else:
            doc["security"] = []
        statuses = {422, 503, *contract.get("errors", ())}
        if method in BODY_METHODS:
            statuses |= {400, 413}
        if auth:
            statuses |= {401, 429}  # 429: too many invalid tokens from one address
        if auth == "required" and contract.get("roles_limited", True):
            statuses.add(403)
        if contract.get("rate_limited"):
            statuses.add(429)
        if contract.get("path_ids"):
            statuses.add(404)
        responses = doc.setdefault("responses", {})
        for status in sorted(statuses):
            current = responses.get(str(status), responses.get(status))
            if isinstance(current, dict) and "$ref" not in current:
                continue  # the view documented its own body for this status (e.g. /readyz's 503)
            responses.pop(status, None)
            responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
        return doc


def prepare_api(app, api: flask_smorest.Api) -> None:
    """Before `api.init_app`: path ids through IdConverter, errors in the one shape, and no
    catch-all "default" response (it would let an undocumented status pass the schema check)."""
    app.url_map.converters["int"] = IdConverter
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.ERROR_SCHEMA = ErrorSchema


def register_components(api: flask_smorest.Api) -> None:
    """After `api.init_app`, before the blueprints: the error responses and the bearer scheme."""
    if "Error" not in api.spec.components.schemas:  # flask-smorest registers ERROR_SCHEMA as "Error"
        api.spec.components.schema("Error", schema=ErrorSchema)
    for status, (name, description) in ERROR_RESPONSES.items():
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if status in (429, 503):
            response["headers"] = {"Retry-After": RETRY_AFTER}
        api.spec.components.response(name, response)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})


def document_settings(api: flask_smorest.Api, settings) -> None:
    """After the blueprints: limits that are configuration, as configured (the document states
    what this server enforces, not a default)."""
    from service.schemas.reviews import TEXT_CEILING

    text = api.spec.components.schemas["ReviewCreate"]["properties"]["text"]
    text["maxLength"] = min(settings.review_text_max, TEXT_CEILING)
