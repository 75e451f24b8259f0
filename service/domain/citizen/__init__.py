"""What a citizen sees and does with a rate link (the rating page, the citizen API).

Owns: the citizen's view of one service event, found by its rate token (`view.py`): the event,
the option catalogue per level, which rating (first or follow-up) is open and until when, the
citizen's own ratings, and the citizen's view of the event's ticket (status, deadline, the
department's reply, whether the citizen may confirm now); and the two things a citizen does with
the link from a page (`actions.py`): rate (the form's rules, then `ratings.submit_review`) and
confirm the reply (`tickets.perform_action` as the `tickets.CITIZEN` actor). Never staff names,
internal notes, extension or appeal reasons, history actors, or anyone else's data.
May import: `accounts`, `calendar`, `ratings`, `tickets`.
"""

from service.domain.citizen.actions import (
    LinkExpired,
    RatingForm,
    confirm_with_link,
    rate_with_link,
)
from service.domain.citizen.view import (
    CitizenTicket,
    CitizenView,
    EventSummary,
    OptionChoice,
    RatingGiven,
    Reply,
    citizen_view,
)

__all__ = [
    "CitizenTicket",
    "CitizenView",
    "EventSummary",
    "LinkExpired",
    "OptionChoice",
    "RatingForm",
    "RatingGiven",
    "Reply",
    "citizen_view",
    "confirm_with_link",
    "rate_with_link",
]
