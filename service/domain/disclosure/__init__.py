"""What the public sees of the published indicators: the 公示 pages.

Owns: the list of published periods with their status (appeal window open, final, corrected with
the reason), one period's published table with its columns and sort orders, and the trend of the
bureau's satisfaction score and good rate across the published periods of the same kind. Only
published versions are ever read (drafts never appear); the figures are the frozen snapshots.
May import: `indicators`.
"""

from service.domain.disclosure.pages import (
    COLUMNS,
    Column,
    PeriodEntry,
    PublishedTable,
    TrendPoint,
    published_periods,
    published_table,
)

__all__ = [
    "COLUMNS",
    "Column",
    "PeriodEntry",
    "PublishedTable",
    "TrendPoint",
    "published_periods",
    "published_table",
]
