"""The case loop as one table: which action leads from which statuses to which, who may take it,
what it needs, and which timed stage it completes. Services enforce it; pages read it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gridgov.cases.models.case import OPEN_STATUSES, Status
from gridgov.cases.models.taxonomy import Stage

COMMAND = "command"  # the command center holding the case (community, street or district)
DEPARTMENT = "department"  # the department the case is dispatched to
VERIFIER = "verifier"  # a grid member of the case's grid, or the command center
REPORTER = "reporter"  # the grid member who reported it
SUPERVISOR = "supervisor"  # a level above the one holding the case, or a leader


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str | None  # None: the status stays
    actor: str
    needs: tuple[str, ...] = ()
    completes: str | None = None  # the stage this action finishes (its deadline is judged)
    danger: bool = False


def _t(action, label, sources, target, actor, needs=(), completes=None, danger=False) -> Transition:
    return Transition(
        action, label, frozenset(sources), target, actor, tuple(needs), completes, danger
    )


_OPEN = set(OPEN_STATUSES) - {Status.SUSPENDED}
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            "accept",
            _("Accept"),
            {Status.REPORTED},
            Status.ACCEPTED,
            COMMAND,
            completes=Stage.ACCEPT,
        ),
        _t(
            "reject",
            _("Reject (invalid)"),
            {Status.REPORTED, Status.ACCEPTED},
            Status.REJECTED,
            COMMAND,
            ("note",),
            Stage.ACCEPT,
            True,
        ),
        _t("file", _("File"), {Status.ACCEPTED}, Status.FILED, COMMAND, completes=Stage.FILE),
        _t(
            "dispatch",
            _("Dispatch"),
            {Status.FILED},
            Status.DISPATCHED,
            COMMAND,
            ("department",),
            Stage.DISPATCH,
        ),
        _t(
            "return",
            _("Return (wrong dispatch)"),
            {Status.DISPATCHED},
            Status.FILED,
            DEPARTMENT,
            ("note",),
            danger=True,
        ),
        _t("start", _("Start handling"), {Status.DISPATCHED}, Status.HANDLING, DEPARTMENT),
        _t(
            "feedback",
            _("Report handling done"),
            {Status.HANDLING},
            Status.HANDLED,
            DEPARTMENT,
            ("note",),
            Stage.HANDLE,
        ),
        _t(
            "verify_pass",
            _("Verified: solved"),
            {Status.HANDLED},
            Status.VERIFIED,
            VERIFIER,
            completes=Stage.VERIFY,
        ),
        _t(
            "verify_fail",
            _("Not solved: rework"),
            {Status.HANDLED},
            Status.HANDLING,
            VERIFIER,
            ("note",),
            Stage.VERIFY,
            True,
        ),
        _t("close", _("Close"), {Status.VERIFIED}, Status.CLOSED, COMMAND, completes=Stage.CLOSE),
        _t(
            "self_handle",
            _("Handled on the spot"),
            {Status.REPORTED},
            Status.CLOSED,
            REPORTER,
            ("note", "before_after"),
        ),
        _t(
            "escalate",
            _("Escalate to the level above"),
            {Status.REPORTED, Status.ACCEPTED, Status.FILED},
            None,
            COMMAND,
            ("note",),
        ),
        _t(
            "request_extension",
            _("Ask for more time"),
            {Status.DISPATCHED, Status.HANDLING},
            None,
            DEPARTMENT,
            ("hours", "note"),
        ),
        _t(
            "request_suspension",
            _("Ask to suspend (long-term work)"),
            {Status.FILED, Status.DISPATCHED, Status.HANDLING},
            None,
            DEPARTMENT,
            ("note",),
        ),
        _t(
            "request_cancellation", _("Ask to cancel"), _OPEN, None, COMMAND, ("note",), danger=True
        ),
        _t(
            "decide", _("Decide a request"), set(OPEN_STATUSES), None, COMMAND, ("request", "grant")
        ),
        _t("resume", _("Resume"), {Status.SUSPENDED}, None, COMMAND),
        _t("supervise", _("Put under supervision"), _OPEN, None, SUPERVISOR, ("hours", "note")),
        _t("remind", _("Send a reminder"), _OPEN, None, SUPERVISOR, ("note",)),
        _t(
            "merge",
            _("Merge into another case"),
            {Status.REPORTED, Status.ACCEPTED},
            Status.MERGED,
            COMMAND,
            ("target",),
        ),
        _t("locate", _("Set the location"), _OPEN, None, COMMAND, ("point",)),
        _t("grade", _("Set the event grade"), _OPEN, None, COMMAND, ("grade",)),
        _t("comment", _("Add a note"), set(Status), None, VERIFIER, ("note",)),
    ]
}

# Timeline entries that are not transitions.
EVENT_LABELS = {
    "report": _("Reported"),
    "photo": _("Photo added"),
    "voice": _("Voice note added"),
    "federation_up": _("Escalated to the platform above"),
    "federation_step": _("Step at the platform above"),
    "yellow_card": _("Yellow card"),
    "red_card": _("Red card"),
    "merged_in": _("Another case merged in"),
    "rate": _("Rated"),
    "whistle": _("Whistle blown: departments summoned (吹哨)"),
    "report_in": _("Department reported on site (报到)"),
    "recode": _("Area re-coded"),
}

# The stage a status waits in, and so whose clock runs.
STAGE_OF_STATUS: dict[str, str] = {
    Status.REPORTED: Stage.ACCEPT,
    Status.ACCEPTED: Stage.FILE,
    Status.FILED: Stage.DISPATCH,
    Status.DISPATCHED: Stage.HANDLE,
    Status.HANDLING: Stage.HANDLE,
    Status.HANDLED: Stage.VERIFY,
    Status.VERIFIED: Stage.CLOSE,
}


def transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise LookupError(action) from None
