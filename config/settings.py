"""Settings: one frozen object built from the environment when the app is created.

Every rule number of domain.md lives here as a default that an administrator can override with an
environment variable; code never carries these numbers as literals.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_origin, get_type_hints

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-do-not-use-in-production"


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a usable configuration."""


def _derive_key(secret: str, purpose: str) -> bytes:
    # Development only: derive distinct keys from the secret so `make run` needs no setup.
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def _key(env: Mapping[str, str], name: str, secret: str, production: bool) -> bytes:
    raw = env.get(name)
    if raw:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
        if len(key) != 32:
            raise ConfigError(f"{name} must be 32 bytes, base64-encoded")
        return key
    if production:
        raise ConfigError(f"{name} is required in production (32 random bytes, base64)")
    return _derive_key(secret, name)


@dataclass(frozen=True)
class Deadlines:
    """Working-day limits of domain.md §4–§5."""

    sign_days: int = 1
    return_window_days: int = 2
    extension_max_count: int = 1
    extension_max_days: int = 10
    verify_bad_review_days: int = 1
    rectify_bad_review_days: int = 15
    urgent_hours: float = 8.0
    # Sign-for (签收) of an urgent 12345 case, in working hours.
    urgent_sign_hours: float = 1.0
    # Working hours (Asia/Shanghai) that urgent 12345 deadlines count through: "HH:MM-HH:MM,...".
    work_hours: str = "09:00-12:00,13:00-18:00"
    # DEADLINE_CASE_DAYS='{"complaint": 10}' changes one type and keeps the others' defaults.
    case_days: Mapping[str, int] = field(
        metadata={"merge": True},
        default_factory=lambda: {
            "consult": 2,
            "help": 10,
            "suggestion": 10,
            "complaint": 15,
            "report": 15,
        }
    )
    yellow_days: int = 1
    yellow_fraction: float = 0.2
    notice_after_days: int = 1
    escalate_after_days: int = 5
    publication_appeal_days: int = 5


@dataclass(frozen=True)
class Settings:
    env: str = field(default="development", metadata={"env": "APP_ENV"})
    secret_key: str = DEV_SECRET
    database_url: str = ""
    redis_url: str | None = None
    # Read by _key (base64, 32 bytes; derived from SECRET_KEY in development).
    contact_key: bytes = field(default=b"", metadata={"env": None})
    blind_index_key: bytes = field(default=b"", metadata={"env": None})
    audit_key: bytes = field(default=b"", metadata={"env": None})  # AUDIT_KEY: keys the audit chain
    # Signed checkpoints of the audit chain's head, one JSON line each (also logged).
    audit_checkpoint_file: str = str(ROOT / "instance" / "audit-checkpoints.jsonl")
    rate_base_url: str = "http://localhost:8000/rate/"
    # The citizen's and the public's pages (issue 12): whose pages they are, the hotline a citizen
    # can still call when a link no longer works, and the origins (comma-separated) whose pages may
    # call the citizen and public API from a browser (CORS); none by default.
    bureau_name: str = "市住房和城乡建设局"
    hotline_number: str = "12345"
    cors_origins: str = ""
    max_body_bytes: int = 64 * 1024
    review_text_max: int = 2000
    rate_token_ttl_days: int = 90
    follow_up_window_days: int = 15
    default_rating_enabled: bool = False
    default_rating_days: int = 7
    default_rating_level: int = 3
    rating_options_file: str = str(ROOT / "config" / "rating_options.json")
    # Rate limits (service/api/ratelimit.py), in the `limits` notation ("10/minute", "5 per second").
    rate_limit_enabled: bool = True
    rate_limit_token: str = "10/minute"  # per rate token (one citizen's key)
    rate_limit_address: str = "300/minute"  # per client address over all citizen endpoints
    rate_limit_public: str = "120/minute"  # per client address on the public 公示 endpoints
    rate_limit_login: str = "10/minute"  # password logins per client address
    rate_limit_invalid_token: str = "30/minute"  # invalid API tokens per client address
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    proxy_hops: int = 0
    # Who may scrape /metrics without a `metrics` token: comma-separated CIDRs ("10.0.0.0/8").
    metrics_allowed_networks: str = ""
    # Staff accounts (issue 11): token lifetimes, the per-account login lockout, TOTP.
    api_token_ttl_days: int = 90  # tokens of `users create` / `users rotate`
    login_token_ttl_hours: int = 12  # tokens of a password login
    login_lockout_threshold: int = 5  # failures in a row before the account name is locked
    login_lockout_base_seconds: int = 60  # first lock; each further failure doubles it
    login_lockout_max_seconds: int = 3600
    login_failure_reset_hours: int = 24  # failures older than this are forgotten
    totp_required_roles: str = "admin,supervisor"  # enforced in production
    totp_issuer: str = "住建局好差评"
    # Citizens' contact data is anonymised this long after the event (ratings and figures stay).
    contact_retention_days: int = 3 * 365
    pending_requeue_after_seconds: int = 60
    job_retry_intervals: tuple[int, ...] = (10, 60, 300)
    # Background pipeline (issue 13): every Redis call of the web process and the dispatcher gives
    # up after REDIS_TIMEOUT_MS, so a slow or hanging Redis never holds a request; the dispatcher
    # polls for pending rows every DISPATCH_POLL_MS, hands RQ one job per batch (a partial batch
    # once its oldest row waited DISPATCH_LINGER_MS), keeps at most
    # DISPATCH_MAX_QUEUED_JOBS waiting per queue, and hands a row out again only after its lease
    # (DISPATCH_LEASE_SECONDS) ran out while nothing for that queue is left in RQ.
    redis_timeout_ms: int = 200
    dispatch_poll_ms: int = 200
    dispatch_linger_ms: int = 500
    dispatch_batch_size: int = 100
    dispatch_max_queued_jobs: int = 4
    dispatch_lease_seconds: int = 60
    job_timeout_seconds: int = 120
    model_dir: str = str(ROOT / "instance" / "models")
    # Text classification (issue 3): retry backoff of the pending sweep, batch size of the sweep,
    # the held-out share of an uploaded training file, and how much worse (macro-F1 / accuracy) a
    # retrained model may be than the active one and still be activated.
    classify_retry_base_seconds: int = 60
    classify_retry_max_seconds: int = 6 * 3600
    classify_batch_size: int = 100
    nlp_holdout_percent: int = 20
    nlp_retrain_epsilon: float = 0.0
    # Retraining on people's corrections (human tag labels): the share of them held out to judge
    # the candidate against the active model (never trained on), and how many held-out ones it
    # takes before that comparison counts (fewer: reported, not decided on).
    nlp_corrections_holdout_percent: int = 25
    nlp_min_corrections_eval: int = 20
    deadlines: Deadlines = field(default_factory=Deadlines, metadata={"env": None})  # DEADLINE_* variables
    indicator_weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "satisfaction": 0.35,
            "rectification": 0.30,
            "response": 0.15,
            "resolution": 0.20,
        }
    )
    basic_satisfaction_weight: float = 1.0
    # Points off the composite score per overdue ticket (each overdue ticket deducts double: 2 × 1).
    overdue_deduction: float = 2.0
    # Composite score at or above which a department shows green / yellow on 公示 (else red).
    indicator_color_thresholds: Mapping[str, float] = field(
        default_factory=lambda: {"green": 85.0, "yellow": 70.0}
    )
    # 分档: the lowest composite score of each grade, best first; below the last is "fail".
    appraisal_grades: Mapping[str, float] = field(
        default_factory=lambda: {"excellent": 90.0, "good": 80.0, "pass": 60.0}
    )
    # Logging: JSON lines (or "text" for a terminal) at this level; personal data and secrets are
    # masked in every line whatever the format (service/logging.py).
    log_level: str = "INFO"
    log_format: str = "json"
    testing: bool = field(default=False, metadata={"env": None})

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Every field from its variable (the field's name in capitals, or the `env` in its metadata;
        Deadlines fields with a `DEADLINE_` prefix), parsed by the field's type. A value that does
        not parse is a ConfigError naming the variable."""
        env = os.environ if env is None else env
        values = _fields_from_env(cls, env)
        production = values.get("env", cls.env) == "production"
        secret = values.get("secret_key")
        if not secret:
            if production:
                raise ConfigError("SECRET_KEY is required in production; set the SECRET_KEY variable")
            secret = DEV_SECRET
        values.update(
            secret_key=secret,
            database_url=values.get("database_url") or _sqlite_default(),
            redis_url=values.get("redis_url") or None,
            contact_key=_key(env, "CONTACT_ENCRYPTION_KEY", secret, production),
            blind_index_key=_key(env, "BLIND_INDEX_KEY", secret, production),
            audit_key=_key(env, "AUDIT_KEY", secret, production),
            deadlines=replace(Deadlines(), **_fields_from_env(Deadlines, env, prefix="DEADLINE_")),
        )
        settings = cls(**values)
        if overrides:
            known = {f.name for f in fields(cls)}
            unknown = set(overrides) - known
            if unknown:
                raise ConfigError(f"unknown settings: {sorted(unknown)}")
            settings = replace(settings, **overrides)
        return settings


def _sqlite_default() -> str:
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'feedback.db'}"


def env_name(f: Field, prefix: str = "") -> str | None:
    """The variable a field is read from; None for fields that never come from the environment."""
    if "env" in f.metadata:
        return f.metadata["env"]
    return prefix + f.name.upper()


def _fields_from_env(cls: type, env: Mapping[str, str], prefix: str = "") -> dict[str, Any]:
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        name = env_name(f, prefix)
        raw = env.get(name) if name else None
        if raw is None or (raw == "" and hints[f.name] is not str):
            continue
        try:
            values[f.name] = _parse(hints[f.name], raw, _default(f), f.metadata.get("merge", False))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{name} must be {_describe(hints[f.name])}, got {raw!r}") from exc
    return values


def _default(f: Field) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse(kind: Any, raw: str, default: Any, merge: bool = False) -> Any:
    if kind is bool:
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise ValueError(raw)
        return raw.strip().lower() in _TRUE
    if kind in (int, float):
        return kind(raw)
    if kind is str or kind == (str | None):
        return raw
    if get_origin(kind) is tuple:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    if get_origin(kind) is Mapping:
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise TypeError(raw)
        return {**default, **value} if merge else value
    raise TypeError(f"no parser for {kind!r}")


def _describe(kind: Any) -> str:
    if kind is bool:
        return "one of " + "/".join(_TRUE + _FALSE)
    if kind is int:
        return "an integer"
    if kind is float:
        return "a number"
    if get_origin(kind) is tuple:
        return "comma-separated integers"
    if get_origin(kind) is Mapping:
        return "a JSON object"
    return "text"
