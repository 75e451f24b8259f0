"""How the pages write dates, levels, rates and periods: Chinese, Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.models.types import SHANGHAI

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
LEVEL_ORDER = (5, 4, 3, 2, 1)  # best first, as on the national 好差评 pages
RESOLUTIONS = {"immediate": "立行立改", "scheduled": "限期整改", "explained": "解释说明"}
STANDINGS = {"green": "良好", "yellow": "关注", "red": "预警"}
QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}


def cn_date(moment: datetime | None, now: datetime | None = None) -> str:
    """“11月20日” within the current year (Beijing time), “2026年11月20日” otherwise."""
    if moment is None:
        return ""
    local = moment.astimezone(SHANGHAI)
    if now is not None and now.astimezone(SHANGHAI).year == local.year:
        return f"{local.month}月{local.day}日"
    return f"{local.year}年{local.month}月{local.day}日"


def cn_deadline(moment: datetime | None, now: datetime | None = None) -> str:
    """The day a deadline falls on: an end-of-day deadline (00:00 of the next day) is its own day,
    so “11月20日前” means by the end of 20 November, as people read it."""
    if moment is None:
        return ""
    return cn_date(moment - timedelta(microseconds=1), now)


def percent(figure: dict | None) -> str | None:
    """A published rate object as “96.5%”; None when the period has no data for it."""
    if not figure or figure.get("value") is None:
        return None
    return f"{figure['value'] * 100:.1f}%"


def number(value: float | int | None, places: int = 2) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, int) else f"{value:.{places}f}"


def period_label(label: str) -> str:
    """2026-11 → 2026年11月, 2026-Q4 → 2026年第四季度, 2026 → 2026年, 2026-11-05 → 2026年11月5日."""
    parts = label.split("-")
    if len(parts) == 1:
        return f"{parts[0]}年"
    if parts[1].startswith("Q"):
        return f"{parts[0]}年第{QUARTERS.get(parts[1][1:], parts[1][1:])}季度"
    if len(parts) == 2:
        return f"{parts[0]}年{int(parts[1])}月"
    return f"{parts[0]}年{int(parts[1])}月{int(parts[2])}日"
