"""Every response the suite receives is checked against the OpenAPI document the app serves.

tests/conftest.py makes `ValidatingClient` the test client of every app the tests build, so each
API test is also a contract test: the status must be documented for that operation, and the body
must match the schema documented for that status (the error shape included). Responses to paths
the document does not know (unknown URLs, wrong methods) must still be in the one error shape.
"""

from __future__ import annotations

import gzip
import threading

from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.wrappers import Response

_lock = threading.Lock()
_documents: dict[int, OpenAPI] = {}


def document_of(app) -> OpenAPI:
    with _lock:
        if id(app) not in _documents:
            spec = FlaskClient(app).get("/api/v1/openapi.json").get_json()
            # CSV is documented as text (a string); openapi-core only knows how to read JSON and
            # text/plain bodies, so tell it how to read a CSV one.
            config = Config(extra_media_type_deserializers={"text/csv": lambda data: data.decode("utf-8")})
            _documents[id(app)] = OpenAPI.from_dict(spec, config=config)
        return _documents[id(app)]


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request as far as response validation needs it: its body was consumed by the app."""

    @property
    def body(self) -> bytes:
        return b""


def _decoded(response) -> Response:
    """The response as the client reads it: a gzip body (Content-Encoding) unpacked."""
    if response.headers.get("Content-Encoding") != "gzip":
        return response
    return Response(gzip.decompress(response.get_data()), status=response.status_code,
                    headers={k: v for k, v in response.headers if k != "Content-Encoding"})


PAGES = ("/rate/", "/public/", "/static/")  # the citizen's and the public's HTML pages, not the API


def check_response(app, response) -> None:
    if response.request.path.startswith(PAGES):
        return
    request = _SentRequest(response.request)
    try:
        document_of(app).validate_response(request, WerkzeugOpenAPIResponse(_decoded(response)))
    except (PathNotFound, OperationNotFound):
        if response.status_code >= 400:
            body = response.get_json(silent=True)
            assert body is not None and set(body) == {"error"}, response.get_data(as_text=True)[:300]
    except Exception as exc:
        raise AssertionError(
            f"{response.request.method} {response.request.full_path} answered {response.status_code} "
            f"outside the OpenAPI document: {exc!r} {getattr(exc, '__cause__', None)!r}\n"
            f"{response.get_data(as_text=True)[:500]}"
        ) from exc


class ValidatingClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check_response(self.application, response)
        return response
