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
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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
    # Working hours (Asia/Shanghai) that urgent 12345 deadlines count through: "HH:MM-HH:MM,...".
    work_hours: str = "09:00-12:00,13:00-18:00"
    case_days: Mapping[str, int] = field(
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
    env: str = "development"
    secret_key: str = DEV_SECRET
    database_url: str = ""
    redis_url: str | None = None
    contact_key: bytes = b""
    blind_index_key: bytes = b""
    rate_base_url: str = "http://localhost:8000/rate/"
    max_body_bytes: int = 64 * 1024
    review_text_max: int = 2000
    rate_token_ttl_days: int = 90
    follow_up_window_days: int = 15
    default_rating_enabled: bool = False
    default_rating_days: int = 7
    default_rating_level: int = 3
    rating_options_file: str = str(ROOT / "config" / "rating_options.json")
    public_rate_limit: int = 120  # requests per client address per window
    public_rate_window_seconds: int = 60
    pending_requeue_after_seconds: int = 60
    job_retry_intervals: tuple[int, ...] = (10, 60, 300)
    model_dir: str = str(ROOT / "instance" / "models")
    # Text classification (issue 3): retry backoff of the pending sweep, batch size of the sweep,
    # the held-out share of an uploaded training file, and how much worse (macro-F1 / accuracy) a
    # retrained model may be than the active one and still be activated.
    classify_retry_base_seconds: int = 60
    classify_retry_max_seconds: int = 6 * 3600
    classify_batch_size: int = 100
    nlp_holdout_percent: int = 20
    nlp_retrain_epsilon: float = 0.0
    deadlines: Deadlines = field(default_factory=Deadlines)
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
    testing: bool = False

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        app_env = env.get("APP_ENV", "development")
        production = app_env == "production"
        secret = env.get("SECRET_KEY")
        if not secret:
            if production:
                raise ConfigError("SECRET_KEY is required in production; set the SECRET_KEY variable")
            secret = DEV_SECRET
        settings = cls(
            env=app_env,
            secret_key=secret,
            database_url=env.get("DATABASE_URL") or _sqlite_default(),
            redis_url=env.get("REDIS_URL") or None,
            contact_key=_key(env, "CONTACT_ENCRYPTION_KEY", secret, production),
            blind_index_key=_key(env, "BLIND_INDEX_KEY", secret, production),
            rate_base_url=env.get("RATE_BASE_URL", cls.rate_base_url),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", cls.max_body_bytes),
            review_text_max=_int(env, "REVIEW_TEXT_MAX", cls.review_text_max),
            rate_token_ttl_days=_int(env, "RATE_TOKEN_TTL_DAYS", cls.rate_token_ttl_days),
            follow_up_window_days=_int(env, "FOLLOW_UP_WINDOW_DAYS", cls.follow_up_window_days),
            default_rating_enabled=env.get("DEFAULT_RATING_ENABLED", "0") in ("1", "true", "yes"),
            default_rating_days=_int(env, "DEFAULT_RATING_DAYS", cls.default_rating_days),
            rating_options_file=env.get("RATING_OPTIONS_FILE", cls.rating_options_file),
            public_rate_limit=_int(env, "PUBLIC_RATE_LIMIT", cls.public_rate_limit),
            public_rate_window_seconds=_int(
                env, "PUBLIC_RATE_WINDOW_SECONDS", cls.public_rate_window_seconds
            ),
            model_dir=env.get("MODEL_DIR", cls.model_dir),
            classify_retry_base_seconds=_int(
                env, "CLASSIFY_RETRY_BASE_SECONDS", cls.classify_retry_base_seconds
            ),
            classify_retry_max_seconds=_int(
                env, "CLASSIFY_RETRY_MAX_SECONDS", cls.classify_retry_max_seconds
            ),
            classify_batch_size=_int(env, "CLASSIFY_BATCH_SIZE", cls.classify_batch_size),
            nlp_holdout_percent=_int(env, "NLP_HOLDOUT_PERCENT", cls.nlp_holdout_percent),
            nlp_retrain_epsilon=_float(env, "NLP_RETRAIN_EPSILON", cls.nlp_retrain_epsilon),
            deadlines=_deadlines(env),
            indicator_weights=_json(env, "INDICATOR_WEIGHTS", None)
            or Settings.__dataclass_fields__["indicator_weights"].default_factory(),
            basic_satisfaction_weight=_float(env, "BASIC_SATISFACTION_WEIGHT", cls.basic_satisfaction_weight),
            overdue_deduction=_float(env, "OVERDUE_DEDUCTION", cls.overdue_deduction),
            indicator_color_thresholds=_json(env, "INDICATOR_COLOR_THRESHOLDS", None)
            or Settings.__dataclass_fields__["indicator_color_thresholds"].default_factory(),
            appraisal_grades=_json(env, "APPRAISAL_GRADES", None)
            or Settings.__dataclass_fields__["appraisal_grades"].default_factory(),
        )
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


def _number(env: Mapping[str, str], name: str, default, cast, what: str):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from exc


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int, "an integer")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float, "a number")


def _json(env: Mapping[str, str], name: str, default: Any) -> Any:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be JSON") from exc


def _deadlines(env: Mapping[str, str]) -> Deadlines:
    base = Deadlines()
    values: dict[str, Any] = {}
    for f in fields(Deadlines):
        name = f"DEADLINE_{f.name.upper()}"
        if f.name == "case_days":
            values[f.name] = {**base.case_days, **(_json(env, name, {}) or {})}
        elif name in env:
            values[f.name] = type(getattr(base, f.name))(env[name])
    return replace(base, **values)
