"""Setting a case's category after intake (a classifier's suggestion accepted, or applied
automatically): one transaction, one timeline entry ("categorize")."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.cases.machine import EVENT_LABELS
from gridgov.cases.models import Case, Category
from gridgov.cases.services.permissions import may_command
from gridgov.cases.services.timeline import record_step


@transaction.atomic
def set_category(
    case: Case, category: Category, *, actor: User, note: str = "", data: dict | None = None
) -> Case:
    """Give an open case its category. The command center holding it may; `data` goes into the
    timeline entry (e.g. {"auto": true, "confidence": 0.97})."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    label = EVENT_LABELS.get("categorize", "categorize")
    if not may_command(actor, case):
        raise PermissionDenied(_("You may not “%(action)s” this case.") % {"action": label})
    if not case.is_open:
        raise ValidationError(
            _("The case is “%(status)s”: “%(action)s” is not possible now.")
            % {"status": case.get_status_display(), "action": label}
        )
    if not category.active:
        raise ValidationError(
            {"category": _("Unknown category %(code)s.") % {"code": category.code}}
        )
    before = case.category.code if case.category is not None else ""
    case.category = category
    case.save(update_fields=["category", "updated_at"])
    record_step(
        case,
        actor,
        "categorize",
        (note or "").strip()[:500],
        now=timezone.now(),
        data={"from": before, "to": category.code, **(data or {})},
    )
    return case
