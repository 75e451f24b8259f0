"""好差评: service events (办件), their rate tokens, reviews and the rating options.

Owns: registering service events (idempotent on `event_no`), the citizen's rating and follow-up
(一事一评), the operator's rating on a caller's behalf, human tag labels, default ratings, and the
versioned option catalogue whose 差评 options double as weak labels, and the audited reading of
a review's full text (`unmask.py`).
May import: `accounts`, `privacy`.
"""

from service.domain.ratings.options import (
    OptionCatalog,
    load_catalog,
)
from service.domain.ratings.reviews import (
    BAD_LEVELS,
    CHANNELS,
    CITIZEN_CHANNELS,
    ReviewFilters,
    apply_default_ratings,
    get_review,
    is_bad_level,
    label_tags,
    list_reviews,
    set_human_tags,
    submit_review,
)
from service.domain.ratings.service_events import (
    event_for_token,
    fingerprint,
    get_service_event,
    hash_rate_token,
    register_service_event,
    rotate_rate_token,
    token_matches,
    unmask_contact,
)
from service.domain.ratings.unmask import (
    unmask_review_text,
)

__all__ = [
    "hash_rate_token",
    "rotate_rate_token",
    "token_matches",
    "BAD_LEVELS",
    "CHANNELS",
    "CITIZEN_CHANNELS",
    "OptionCatalog",
    "ReviewFilters",
    "apply_default_ratings",
    "event_for_token",
    "fingerprint",
    "get_review",
    "get_service_event",
    "is_bad_level",
    "label_tags",
    "list_reviews",
    "load_catalog",
    "register_service_event",
    "set_human_tags",
    "submit_review",
    "unmask_contact",
    "unmask_review_text",
]
