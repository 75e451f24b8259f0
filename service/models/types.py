"""Column types shared by the models."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

# Every user is in Asia/Shanghai: periods, working days and every time returned are counted there.
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back aware datetimes, also on SQLite which drops the offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# The three tags of domain.md §3 (the nlp library's labels; tests/test_layering.py checks they agree).
TAGS = ("delay", "quality", "attitude")


def tag_string(tags) -> str:
    """How a set of tags is stored in a text column: ",delay,quality," (so LIKE '%,delay,%' finds it),
    in TAGS order, "," for none."""
    present = set(tags)
    ordered = [t for t in TAGS if t in present]
    return "," + ",".join(ordered) + ("," if ordered else "")


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
