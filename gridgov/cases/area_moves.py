"""Cases follow their area when it moves in the tree: grid, level (the command center holding the
case), cards, supervisions and routing rules are re-coded, and each case's timeline says so."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.services import log_recoded, recode_prefix, recodes_areas
from gridgov.cases.models import Card, Case, CaseEvent, RoutingRule, Supervision
from gridgov.cases.services.timeline import _event


@recodes_areas
def recode_cases(old: str, new: str, *, actor: User) -> set[type]:
    touched = Q(area_code__startswith=old) | Q(level_code__startswith=old)
    ids = list(Case.objects.filter(touched).values_list("pk", flat=True))
    recode_prefix(Case.objects.all(), "area_code", old, new)
    recode_prefix(Case.objects.all(), "level_code", old, new)
    for model in (CaseEvent, Card):
        recode_prefix(model.objects.all(), "area_code", old, new)
        recode_prefix(model.objects.all(), "level_code", old, new)
    recode_prefix(Supervision.objects.all(), "level_code", old, new)
    rules = recode_prefix(RoutingRule.objects.all(), "area_prefix", old, new)
    now = timezone.now()
    note = _("Area %(old)s moved in the tree: now %(new)s.") % {"old": old, "new": new}
    events = []
    for start in range(0, len(ids), 2000):
        for case in Case.objects.filter(pk__in=ids[start : start + 2000]).select_related(
            "department"
        ):
            events.append(_event(case, actor, "recode", case.status, note, now=now, save=False))
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    log_recoded(Case, len(ids), old, new, actor=actor)
    log_recoded(RoutingRule, rules, old, new, actor=actor)
    return {Case, CaseEvent, Card, Supervision, RoutingRule}
