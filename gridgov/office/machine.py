"""The circulation of an official document: states, the steps between them, and who takes each.

received ──sign (last main recipient)──▶ signed ──register──▶ registered ──assign──▶ assigned
                                                                  │                 │ ▲  reply
                                                                  close             ▼ │ return
                                                                  ▼               replied
                                                               closed ◀──close──────┘
circulate (传阅) from signed on, remind (催办) while assigned, read by a reader: no change of state.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.office.models import DocStatus as S

OFFICE = "office"  # the holding level's office
RECIPIENT = "recipient"  # a unit the document is addressed to, that has not signed yet
LEAD = "lead"  # the lead unit (承办单位)
READER = "reader"  # a person it was circulated to


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset
    target: str | None  # None: the state does not change
    who: str


OPEN = frozenset({S.RECEIVED, S.SIGNED, S.REGISTERED, S.ASSIGNED, S.REPLIED})
CIRCULATING = frozenset({S.SIGNED, S.REGISTERED, S.ASSIGNED, S.REPLIED, S.CLOSED})

STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        # The state moves to signed when the last main recipient signs (see services).
        Step("sign", _("Sign for receipt"), OPEN, None, RECIPIENT),
        Step("register", _("Register"), frozenset({S.SIGNED}), S.REGISTERED, OFFICE),
        Step(
            "assign",
            _("Assign a lead unit"),
            frozenset({S.REGISTERED, S.ASSIGNED}),
            S.ASSIGNED,
            OFFICE,
        ),
        Step("circulate", _("Circulate to readers"), CIRCULATING - {S.CLOSED}, None, OFFICE),
        Step("read", _("Mark as read"), CIRCULATING, None, READER),
        Step("remind", _("Remind"), frozenset({S.ASSIGNED}), None, OFFICE),
        Step("reply", _("Reply"), frozenset({S.ASSIGNED}), S.REPLIED, LEAD),
        Step("return", _("Return the reply"), frozenset({S.REPLIED}), S.ASSIGNED, OFFICE),
        Step(
            "close",
            pgettext_lazy("office", "Close"),
            frozenset({S.REGISTERED, S.REPLIED}),
            S.CLOSED,
            OFFICE,
        ),
    )
}

EVENT_LABELS = {"receive": _("Received"), **{name: s.label for name, s in STEPS.items()}}


def label_of(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))
