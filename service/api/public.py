"""The public 公示 endpoints: published figures only, no token, rate-limited, cached per version.

A published version's figures never change, so whole responses are cached in the process, keyed
by the version, its snapshot hash and the small envelope (status, version list) that is rendered
per request; each cached response also keeps a gzip copy for clients that accept it.
"""

import gzip
import hashlib
import json
import threading
from collections import OrderedDict

from flask import Response, request

from service.api.contract import Blueprint, errors
from service.api.ratelimit import rate_limited
from service.domain.indicators import publications, to_csv
from service.extensions import db
from service.models.types import utcnow
from service.schemas.common import shanghai_iso
from service.schemas.publications import PublicIndicatorsOut, PublicItem, PublicQuery, PublicVersion

blp = Blueprint("public", __name__, description="公开指标（已公示的数据）")
_CACHE_SIZE = 64
_cache: "OrderedDict[tuple, Rendered]" = OrderedDict()
_lock = threading.Lock()


def _cached(key: tuple, render):
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = render()
    with _lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Rendered:
    """One representation of a response: the body, its gzip form, and a strong ETag for each."""

    def __init__(self, body: bytes, key: str) -> None:
        self.body = body
        self.etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        self._gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:  # made once, on the first client that asks for it
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def conditional(body: bytes | Rendered, mimetype: str, headers: dict | None = None,
                private: bool = False) -> Response:
    """Answer with a strong ETag, or 304 when the client already has that representation.

    If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a gzip proxy that rewrote our ETag
    to W/"…" still gets its 304. A `Rendered` body is served gzip-compressed to clients that accept
    it (its own ETag). `private`: a response that needs a token is for that caller's cache only,
    and varies with the Authorization header."""
    if not isinstance(body, Rendered):
        body = Rendered(body, hashlib.sha256(body).hexdigest())
    use_gzip = "gzip" in request.accept_encodings
    etag = body.etag + ("-gz" if use_gzip else "")
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(body.gzipped if use_gzip else body.body, mimetype=mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Vary"] = "Accept-Encoding, Authorization" if private else "Accept-Encoding"
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=60"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _view(query):
    return publications.published_view(db.session, query["period"], utcnow(), query.get("version"))


@blp.route("/public/indicators", methods=["GET"])
@rate_limited("public")
@errors(404)
@blp.conditional()
@blp.arguments(PublicQuery, location="query")
@blp.response(200, PublicIndicatorsOut)
def public_indicators(query):
    """The latest published version of a period (or `version`), with the list of versions."""
    view = _view(query)
    pub = view.publication
    envelope = _dumps({
        "period": pub.period, "version": pub.version, "status": view.status,
        "provisional": pub.provisional, "published_at": shanghai_iso(pub.approved_at),
        "appeal_deadline": shanghai_iso(pub.appeal_deadline),
        "versions": PublicVersion(many=True).dump(view.versions),
    })
    # The figures never change for a version; the envelope (status, version list) rarely does.
    # Both are in the key, so a new status or version is a new cache entry and a new ETag.
    key = f"{pub.id}:{pub.snapshot_hash}:{envelope}"

    def render() -> Rendered:
        items = PublicItem(many=True).dump(
            publications.public_items(publications.snapshot_of(db.session, pub)))
        return Rendered(envelope[:-1].encode() + b',"items":' + _dumps(items).encode() + b"}", key)

    return conditional(_cached(("json", key), render), "application/json")


@blp.route("/public/indicators.csv", methods=["GET"])
@rate_limited("public")
@errors(404)
@blp.conditional()
@blp.arguments(PublicQuery, location="query")
@blp.download("text/csv", "已公示指标（UTF-8 带 BOM 的 CSV，附件）")
def public_indicators_csv(query):
    """The same figures as CSV, UTF-8 with a BOM so that Excel opens it."""
    view = _view(query)
    pub = view.publication
    key = f"{pub.id}:{pub.snapshot_hash}"
    body = _cached(("csv", key), lambda: Rendered(
        to_csv(publications.snapshot_of(db.session, pub)["items"]), key))
    filename = f"indicators-{pub.period}-v{pub.version}.csv"
    return conditional(body, "text/csv",  # Flask adds "; charset=utf-8" to text types
                       {"Content-Disposition": f'attachment; filename="{filename}"'})
