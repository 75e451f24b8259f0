from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models.types import JSONType, UTCDateTime, utcnow


class CalendarYear(db.Model):
    """A State Council holiday arrangement loaded by an administrator (holidays and 调休 days)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSONType)
    workdays: Mapped[list] = mapped_column(JSONType)
    source: Mapped[str | None] = mapped_column(String(255))
    loaded_by: Mapped[str | None] = mapped_column(String(120))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
