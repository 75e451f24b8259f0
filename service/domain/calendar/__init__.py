"""Working days: the State Council holiday arrangement of each year, and arithmetic on it.

Owns: which days are working days (`years.py`: the package's years plus loaded ones, make-up days
included), the loaded years (`store.py`), and adding working days and hours, colours and pauses
(`arithmetic.py`). What a newly loaded year means for deadlines already given out belongs to
the capabilities that gave them (tickets).
May import: `accounts` (audit of a load), `service.models`.
"""

from service.domain.calendar.arithmetic import (
    DEFAULT_WORK_PERIODS,
    DEFAULT_YELLOW_DAYS,
    DEFAULT_YELLOW_FRACTION,
    EPSILON,
    ONE_DAY,
    Deadline,
    add_working_days,
    add_working_hours,
    colour,
    last_day,
    shift_deadline,
    working_day_after,
    working_days_between,
    yellow_from,
)
from service.domain.calendar.store import (
    arrangement_of,
    store_year,
    work_calendar,
    years_status,
)
from service.domain.calendar.years import (
    CalendarFileError,
    WorkCalendar,
    YearArrangement,
    parse_year_file,
)

__all__ = [
    "CalendarFileError",
    "DEFAULT_WORK_PERIODS",
    "DEFAULT_YELLOW_DAYS",
    "DEFAULT_YELLOW_FRACTION",
    "Deadline",
    "EPSILON",
    "ONE_DAY",
    "WorkCalendar",
    "YearArrangement",
    "add_working_days",
    "add_working_hours",
    "arrangement_of",
    "colour",
    "last_day",
    "parse_year_file",
    "shift_deadline",
    "store_year",
    "work_calendar",
    "working_day_after",
    "working_days_between",
    "years_status",
    "yellow_from",
]
