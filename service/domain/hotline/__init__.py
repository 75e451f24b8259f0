"""12345 cases (工单): intake, duplicates (重复件), merges (并单) and callbacks (回访).

Owns: the case and its caller, the link between a case and its ticket, duplicates that attach to
an open case without restarting its clock, merged children, callbacks that confirm or reopen
the ticket, the audited reading of a case in full (`unmask.py`), and the human tag label of a case.
May import: `accounts`, `calendar`, `privacy`, `ratings` (the event a case refers to), `tickets`.
"""

from service.domain.hotline.cases import (
    CaseView,
    create_case,
    get_case,
    handling_ticket,
    list_cases,
    root_case,
    set_case_tags,
    view_of,
)
from service.domain.hotline.followup import (
    merge_cases,
    record_callback,
)
from service.domain.hotline.unmask import (
    unmask_case,
)

__all__ = [
    "CaseView",
    "create_case",
    "get_case",
    "handling_ticket",
    "list_cases",
    "merge_cases",
    "record_callback",
    "root_case",
    "set_case_tags",
    "unmask_case",
    "view_of",
]
