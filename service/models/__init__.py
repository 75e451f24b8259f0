"""All models, imported here so Alembic and the app see the whole schema."""

from service.models.audit import AuditEntry
from service.models.calendar_year import CalendarYear
from service.models.department import Department
from service.models.hotline import HotlineCallback, HotlineCase
from service.models.nlp_model import NlpModel
from service.models.publication import Publication, PublicationAppeal
from service.models.review import Review
from service.models.rollup import IndicatorDaily, RollupDirty, RollupState
from service.models.service_event import ServiceEvent
from service.models.ticket import Ticket
from service.models.user import ApiToken, LoginThrottle, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CalendarYear",
    "Department",
    "HotlineCallback",
    "HotlineCase",
    "IndicatorDaily",
    "LoginThrottle",
    "NlpModel",
    "Publication",
    "PublicationAppeal",
    "Review",
    "RollupDirty",
    "RollupState",
    "ServiceEvent",
    "Ticket",
    "User",
]
