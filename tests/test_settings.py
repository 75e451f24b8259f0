import base64
import os

import pytest

from config.settings import ConfigError, Settings


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"APP_ENV": "production"})


def test_production_requires_contact_keys():
    with pytest.raises(ConfigError, match="CONTACT_ENCRYPTION_KEY"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s"})


def test_production_requires_the_audit_key():
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with pytest.raises(ConfigError, match="AUDIT_KEY is required in production"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s", "CONTACT_ENCRYPTION_KEY": key,
                           "BLIND_INDEX_KEY": key})


def test_production_with_everything_set():
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s", "CONTACT_ENCRYPTION_KEY": key,
                                  "BLIND_INDEX_KEY": key, "AUDIT_KEY": key,
                                  "DATABASE_URL": "postgresql+psycopg://x/y"})
    assert settings.production and settings.database_url.startswith("postgresql")


def test_defaults_are_the_embedded_ones():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.redis_url is None
    assert settings.deadlines.case_days["complaint"] == 15
    assert settings.follow_up_window_days == 15


def test_rule_numbers_come_from_the_environment():
    settings = Settings.from_env({"DEADLINE_RECTIFY_BAD_REVIEW_DAYS": "10", "FOLLOW_UP_WINDOW_DAYS": "7",
                                  "DEADLINE_CASE_DAYS": '{"consult": 3}'})
    assert settings.deadlines.rectify_bad_review_days == 10
    assert settings.follow_up_window_days == 7
    assert settings.deadlines.case_days == {"consult": 3, "help": 10, "suggestion": 10, "complaint": 15, "report": 15}


def test_bad_numbers_are_named():
    with pytest.raises(ConfigError, match="FOLLOW_UP_WINDOW_DAYS"):
        Settings.from_env({"FOLLOW_UP_WINDOW_DAYS": "soon"})


def test_create_app_reads_nothing_at_import():
    import importlib

    import service.app

    importlib.reload(service.app)  # importing must not need a database, Redis or env vars


# The configuration's failure paths (after flaskr's tests/test_factory.py): every variable is derived
# from a Settings field, parsed by its type, and a value that does not parse names its variable.


@pytest.mark.parametrize("name, raw", [
    ("DEADLINE_SIGN_DAYS", "abc"),
    ("DEADLINE_URGENT_HOURS", "eight"),
    ("DEFAULT_RATING_ENABLED", "maybe"),
    ("JOB_RETRY_INTERVALS", "10,soon"),
    ("INDICATOR_WEIGHTS", "{not json"),
    ("INDICATOR_WEIGHTS", "[0.35, 0.3]"),
    ("DEADLINE_CASE_DAYS", '"15"'),
])
def test_a_value_that_does_not_parse_is_a_config_error_naming_it(name, raw):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: raw})


def test_every_field_is_read_from_its_variable():
    settings = Settings.from_env({
        "DEFAULT_RATING_LEVEL": "4", "DEFAULT_RATING_ENABLED": "true", "JOB_RETRY_INTERVALS": "5,50",
        "PENDING_REQUEUE_AFTER_SECONDS": "30", "DEADLINE_URGENT_HOURS": "4.5", "DEADLINE_WORK_HOURS": "08:30-17:30",
        "INDICATOR_WEIGHTS": '{"satisfaction": 1.0}', "REDIS_URL": "",
    })
    assert settings.default_rating_level == 4 and settings.default_rating_enabled is True
    assert settings.job_retry_intervals == (5, 50) and settings.pending_requeue_after_seconds == 30
    assert settings.deadlines.urgent_hours == 4.5 and settings.deadlines.work_hours == "08:30-17:30"
    assert settings.indicator_weights == {"satisfaction": 1.0}  # a weight table replaces the default
    assert settings.redis_url is None


def test_no_field_is_silently_left_out_of_the_environment():
    from dataclasses import fields

    from config.settings import Deadlines, env_name

    not_from_a_variable = {f.name for f in fields(Settings) if env_name(f) is None}
    assert not_from_a_variable == {"contact_key", "blind_index_key", "audit_key", "deadlines", "testing"}  # _key
    names = [env_name(f) for f in fields(Settings) if env_name(f)] + [env_name(f, "DEADLINE_") for f in fields(Deadlines)]
    assert len(set(names)) == len(names)


def test_unknown_overrides_are_refused():
    with pytest.raises(ConfigError, match="unknown settings"):
        Settings.from_env({}, overrides={"no_such_setting": 1})


def test_a_bad_contact_key_is_named():
    with pytest.raises(ConfigError, match="CONTACT_ENCRYPTION_KEY must be 32 bytes"):
        Settings.from_env({"CONTACT_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"short").decode()})
