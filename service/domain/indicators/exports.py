"""Indicator tables as CSV (UTF-8 with BOM, so Excel opens it) and as an .xlsx workbook with one
sheet per indicator family. Pure formatting: callers pass the figures. Every cell goes through
`privacy.spreadsheet_cell`, so a department name like "=HYPERLINK(…)" is shown, never evaluated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from service.domain.privacy import looks_like_formula, spreadsheet_cell

LABELS = {
    "reviews_total": "评价总量", "reviews_active": "主动评价量", "reviews_valid": "有效评价量",
    "reviews_excluded": "剔除评价量", "follow_up_reviews": "追评量", "service_events": "办件量",
    "bad_reviews": "差评量", "good_rate": "好评率", "active_good_rate": "主动评价好评率",
    "bad_rate": "差评率", "active_rate": "主动评价率", "unrated_rate": "未评价率",
    "satisfaction_score": "满意度得分", "bad_callback_rate": "实名差评回访率",
    "reply_rate": "回复率", "rectification_rate": "差评整改率",
    "rectification_on_time_rate": "按时整改率", "response_rate": "响应率",
    "overdue_tickets": "超期数", "complaint_cases": "12345投诉举报件",
    "complaint_rate_per_1000": "投诉率（每千件）", "resolution_rate": "解决率",
    "callback_satisfaction_rate": "满意率", "tag_counts.delay": "办理拖延数",
    "tag_counts.quality": "质量纠纷数", "tag_counts.attitude": "服务态度数",
    "tag_shares.delay": "办理拖延占比", "tag_shares.quality": "质量纠纷占比",
    "tag_shares.attitude": "服务态度占比",
    "score": "综合得分", "base_score": "扣分前得分", "overdue_deduction": "超期扣分",
    "grade": "档次", "color": "公示颜色",
    "components.satisfaction": "满意度分项", "components.rectification": "整改分项",
    "components.response": "响应分项", "components.resolution": "解决分项",
}
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("评价", ("reviews_total", "reviews_active", "reviews_valid", "reviews_excluded",
              "follow_up_reviews", "service_events", "bad_reviews", "good_rate", "active_good_rate",
              "bad_rate", "active_rate", "unrated_rate", "satisfaction_score")),
    ("整改", ("bad_callback_rate", "reply_rate", "rectification_rate",
              "rectification_on_time_rate", "response_rate", "overdue_tickets")),
    ("12345", ("complaint_cases", "complaint_rate_per_1000", "resolution_rate",
               "callback_satisfaction_rate")),
    ("标签", ("tag_counts.delay", "tag_counts.quality", "tag_counts.attitude", "tag_shares.delay",
              "tag_shares.quality", "tag_shares.attitude")),
)
APPRAISAL_FAMILY = ("综合得分", ("score", "base_score", "components.satisfaction",
                                "components.rectification", "components.response",
                                "components.resolution", "overdue_tickets", "overdue_deduction",
                                "grade", "color"))


def _lookup(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _cells(key: str, value: Any) -> tuple[list[str], list[Any]]:
    label = LABELS.get(key, key)
    if isinstance(value, dict) and "denominator" in value:
        return [label, f"{label}分子", f"{label}分母"], \
            [value["value"], value["numerator"], value["denominator"]]
    return [label], [value]


def table(items: Iterable[dict[str, Any]], keys: Iterable[str], source: str = "indicators"
          ) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: department code and name, then each key (rates as value, num, den)."""
    keys = list(keys)
    header: list[str] = ["部门编码", "部门名称"]
    rows: list[list[Any]] = []
    for n, item in enumerate(items):
        row = [item["department_code"], item["department_name"]]
        for key in keys:
            data = item.get(source) or {}
            if key == "overdue_tickets" and source == "appraisal":
                data = item["appraisal"]
            labels, cells = _cells(key, _lookup(data, key))
            if n == 0:
                header += labels
            row += cells
        rows.append(row)
    if not rows:
        for key in keys:
            header += _cells(key, _lookup({}, key))[0]
    return header, rows


def _all_keys() -> list[str]:
    return [key for _, keys in FAMILIES for key in keys]


def to_csv(items: list[dict[str, Any]]) -> bytes:
    header, rows = table(items, _all_keys())
    if items and "appraisal" in items[0]:
        # One table: the appraisal columns the indicator columns already have (超期数) once only.
        keys = [key for key in APPRAISAL_FAMILY[1] if key not in _all_keys()]
        extra_header, extra_rows = table(items, keys, source="appraisal")
        header += extra_header[2:]
        rows = [a + b[2:] for a, b in zip(rows, extra_rows, strict=True)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(v) for v in header])
    writer.writerows([["" if v is None else spreadsheet_cell(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _append(sheet, values: list[Any]) -> None:
    """A row whose text cells are masked and stored as text: a value like "=1+1" gets Excel's
    quote prefix (as if typed '=1+1) instead of becoming a formula."""
    sheet.append([spreadsheet_cell(v, quote=False) for v in values])
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type, cell.quotePrefix = "s", True


def to_xlsx(items: list[dict[str, Any]], title: str) -> bytes:
    # Imported on use: openpyxl is only needed for the rare .xlsx download.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    families = list(FAMILIES)
    if items and "appraisal" in items[0]:
        families.append(APPRAISAL_FAMILY)
    for name, keys in families:
        sheet = workbook.create_sheet(name)
        header, rows = table(items, keys, "appraisal" if name == APPRAISAL_FAMILY[0] else "indicators")
        _append(sheet, [f"{title} · {name}"])
        sheet["A1"].font = Font(bold=True)
        _append(sheet, header)
        for row in rows:
            _append(sheet, row)
        sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
