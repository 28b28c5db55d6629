"""The office part: notices and work dynamics, official documents, messages between staff."""

from gridgov.office.models.documents import (
    DocStatus,
    Document,
    DocumentEvent,
    DocumentReader,
    DocumentRecipient,
    RecipientKind,
    Secrecy,
    Urgency,
)
from gridgov.office.models.files import OfficeFile
from gridgov.office.models.messages import (
    Conversation,
    ConversationKind,
    ConversationMember,
    ShareKind,
    StaffMessage,
    UserMessage,
)
from gridgov.office.models.notices import Notice, NoticeKind, NoticeReceipt

__all__ = [
    "Conversation",
    "ConversationKind",
    "ConversationMember",
    "DocStatus",
    "Document",
    "DocumentEvent",
    "DocumentReader",
    "DocumentRecipient",
    "Notice",
    "NoticeKind",
    "NoticeReceipt",
    "OfficeFile",
    "RecipientKind",
    "Secrecy",
    "ShareKind",
    "StaffMessage",
    "Urgency",
    "UserMessage",
]
