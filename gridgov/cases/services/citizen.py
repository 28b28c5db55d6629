"""What a citizen who reported through a public channel (portal, Open311) may do to the case once
it is closed: rate it, or say it is not fixed — which sends it back to verification with the note.
The channel's system account acts for the citizen (the case has no reporter account)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import OPEN311, PORTAL, is_system_account
from gridgov.cases.models import Case, Channel, Status
from gridgov.cases.services.permissions import may_command
from gridgov.cases.services.timeline import _clear_cards, _enter_stage, _event

_CHANNEL_OF = {PORTAL: Channel.PORTAL, OPEN311: Channel.OPEN311}


def _acts_for_reporter(actor: User, case: Case) -> bool:
    return is_system_account(actor) and _CHANNEL_OF.get(actor.username) == case.channel


@transaction.atomic
def rate_for_reporter(case: Case, score: int, *, actor: User, note: str = "") -> Case:
    """The reporter's satisfaction rating (1–5) of a closed case, given through its channel."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("A rating is a whole number from 1 to 5.")})
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if not _acts_for_reporter(actor, case):
        raise PermissionDenied(_("You may not rate this case."))
    if case.status != Status.CLOSED:
        raise ValidationError(_("Only a closed case can be rated."))
    _event(
        case,
        actor,
        "rate",
        case.status,
        (note or "").strip()[:500],
        now=timezone.now(),
        data={"score": score, "by": "reporter"},
    )
    case.satisfaction = score
    case.save(update_fields=["satisfaction", "updated_at"])
    return case


@transaction.atomic
def reopen_for_verification(case: Case, *, actor: User, note: str) -> Case:
    """“Not fixed”: a closed case goes back to verification (status handled) with the note."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give a note: why, or what was done.")})
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if not (_acts_for_reporter(actor, case) or may_command(actor, case)):
        raise PermissionDenied(
            _("You may not “%(action)s” this case.") % {"action": _("Not solved: rework")}
        )
    if case.status != Status.CLOSED:
        raise ValidationError(
            _("The case is “%(status)s”: “%(action)s” is not possible now.")
            % {"status": case.get_status_display(), "action": _("Not solved: rework")}
        )
    now = timezone.now()
    before = case.status
    case.status = Status.HANDLED
    case.closed_at = None
    _clear_cards(case, now)
    _enter_stage(case, now)
    _event(case, actor, "reopen", before, note[:500], now=now, data={"by": "reporter"})
    case.save()
    return case
