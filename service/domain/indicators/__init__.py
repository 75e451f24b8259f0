"""Indicators per department and period, their publication (公示) and the appraisal scores.

Owns: the formulas (`figures.py`, definitions in its docstring), the daily counts and their
rollups (`counts.py`, `rollups.py`), periods in Asia/Shanghai (`periods.py`), two-person
publication with appeals and versions (`publications.py`) and the appeal window's end as a
working-day deadline (`appeal_windows.py`), the composite score (`appraisal.py`),
and CSV/xlsx exports and reports (`exports.py`, `reports.py`).
May import: `accounts`, `calendar`, `privacy` (export cells).
"""

from service.domain.indicators.appeal_windows import (
    provisional_appeal_windows,
    recompute_appeal_deadlines,
)
from service.domain.indicators.appraisal import (
    score_department,
)
from service.domain.indicators.exports import (
    to_csv,
    to_xlsx,
)
from service.domain.indicators.figures import (
    COUNT_KEYS,
    RATE_KEYS,
    DepartmentFigures,
    IndicatorReport,
    compute_indicators,
)
from service.domain.indicators.periods import (
    Period,
    local_date,
    local_midnight,
    parse_period,
)
from service.domain.indicators.publications import (
    approve_publication,
    create_publication,
    decide_appeal,
    describe_publication,
    file_appeal,
    get_publication,
    list_publications,
    public_items,
    published_view,
    snapshot_of,
    version_status,
)
from service.domain.indicators.reports import (
    FORMATS as EXPORT_FORMATS,
)
from service.domain.indicators.reports import (
    appraisal_scores,
    export_indicators,
)
from service.domain.indicators.rollups import (
    rebuild_rollups,
    refresh_rollups,
    rollup_counts,
    stale_days,
)

__all__ = [
    "EXPORT_FORMATS",
    "COUNT_KEYS",
    "DepartmentFigures",
    "IndicatorReport",
    "Period",
    "RATE_KEYS",
    "appraisal_scores",
    "approve_publication",
    "compute_indicators",
    "create_publication",
    "decide_appeal",
    "describe_publication",
    "export_indicators",
    "file_appeal",
    "get_publication",
    "list_publications",
    "local_date",
    "local_midnight",
    "parse_period",
    "provisional_appeal_windows",
    "public_items",
    "published_view",
    "rebuild_rollups",
    "recompute_appeal_deadlines",
    "refresh_rollups",
    "rollup_counts",
    "score_department",
    "snapshot_of",
    "stale_days",
    "to_csv",
    "to_xlsx",
    "version_status",
]
