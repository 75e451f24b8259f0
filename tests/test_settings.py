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


def test_production_with_everything_set():
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s", "CONTACT_ENCRYPTION_KEY": key,
                                  "BLIND_INDEX_KEY": key, "DATABASE_URL": "postgresql+psycopg://x/y"})
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
