from gridgov.cases.models.case import Case, Channel, Status, Urgency
from gridgov.cases.models.routing import RoutingRule
from gridgov.cases.models.sla import (
    CalendarYear,
    Card,
    CardKind,
    CaseRequest,
    RequestKind,
    RequestStatus,
    Supervision,
    WhistleCall,
    WorkdayOverride,
)
from gridgov.cases.models.taxonomy import (
    Category,
    CategoryKind,
    Grade,
    GradeRule,
    HandlingLevel,
    Stage,
    TimeLimit,
    TimeUnit,
)
from gridgov.cases.models.timeline import Attachment, AttachmentKind, CaseEvent, VoiceNote

__all__ = [
    "Attachment",
    "AttachmentKind",
    "CalendarYear",
    "Card",
    "CardKind",
    "Case",
    "CaseEvent",
    "CaseRequest",
    "Category",
    "CategoryKind",
    "Channel",
    "Grade",
    "GradeRule",
    "HandlingLevel",
    "RequestKind",
    "RequestStatus",
    "RoutingRule",
    "Stage",
    "Status",
    "Supervision",
    "TimeLimit",
    "TimeUnit",
    "Urgency",
    "VoiceNote",
    "WhistleCall",
    "WorkdayOverride",
]
