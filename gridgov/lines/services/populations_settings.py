"""The administrator's tables of the special populations: categories with their extra fields,
and the visit intervals by category and risk level."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.lines.models import CategoryGroup, PopulationCategory, VisitInterval

FIELD_TYPES = ("text", "date", "int")


def _require(actor: User) -> None:
    if not user_may(actor, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not edit the platform's settings tables."))


def clean_schema(schema: object) -> list[dict]:
    if schema is None:
        return []
    if not isinstance(schema, list) or len(schema) > 30:
        raise ValidationError({"field_schema": _("Give a list of fields.")})
    result = []
    for spec in schema:
        if not isinstance(spec, dict) or not str(spec.get("name", "")).isidentifier():
            raise ValidationError({"field_schema": _("Each field needs a name.")})
        kind = spec.get("type", "text")
        if kind not in FIELD_TYPES:
            raise ValidationError({"field_schema": _("Unknown field type.")})
        result.append(
            {
                "name": str(spec["name"])[:40],
                "label": str(spec.get("label") or spec["name"])[:60],
                "type": kind,
            }
        )
    return result


@transaction.atomic
def save_category(
    *,
    actor: User,
    code: str,
    name: str,
    group: str,
    max_risk: int,
    field_schema: object = None,
    active: bool = True,
) -> PopulationCategory:
    _require(actor)
    if group not in CategoryGroup.values:
        raise ValidationError({"group": _("Unknown group.")})
    if not 0 <= max_risk <= 9:
        raise ValidationError({"max_risk": _("Enter a valid value.")})
    category, created = PopulationCategory.objects.update_or_create(
        code=code,
        defaults={
            "name": name[:60],
            "group": group,
            "max_risk": max_risk,
            "field_schema": clean_schema(field_schema),
            "active": active,
        },
    )
    category.full_clean()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        instance=category,
        after=snapshot(category),
    )
    return category


@transaction.atomic
def set_interval(
    *, actor: User, category: PopulationCategory, risk_level: int, every_days: int
) -> VisitInterval:
    _require(actor)
    if not 0 <= risk_level <= category.max_risk:
        raise ValidationError({"risk_level": _("Enter a valid value.")})
    if not 1 <= every_days <= 366:
        raise ValidationError({"every_days": _("Enter a valid value.")})
    interval, _created = VisitInterval.objects.update_or_create(
        category=category, risk_level=risk_level, defaults={"every_days": every_days}
    )
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=interval, after=snapshot(interval)
    )
    return interval
