"""The tables that steer the loop, kept by administrators on pages: case classes, time limits by
class, grade and area class, grade rules, and routing rules. Every write is rights-checked here
and change-logged; the intake caches forget the old values on commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, has_global_scope, restrict, user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases.models import Category, GradeRule, RoutingRule, TimeLimit

CATEGORY_FIELDS = (
    "name",
    "kind",
    "parent",
    "department_line",
    "filing_condition",
    "closing_condition",
    "legal_basis",
    "natural_time",
    "active",
)


def _require_settings(user) -> None:
    if not user_may(user, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only an administrator may change the case tables."))


def _log(actor: User, instance: Model, before: dict | None, *, deleted: bool = False) -> None:
    if deleted:
        action = ChangeAction.DELETE
    else:
        action = ChangeAction.UPDATE if before is not None else ChangeAction.CREATE
    record_change(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=None if deleted else snapshot(instance),
    )


@transaction.atomic
def save_category(
    acting_user: User, category: Category | None, *, code: str = "", **fields
) -> Category:
    """Create a class (with its code) or change one (its code stays: cases refer to it)."""
    _require_settings(acting_user)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    parent = fields.get("parent")
    if parent is not None and (parent.parent_id is not None or parent == category):
        raise ValidationError({"parent": _("A minor class sits under a major class.")})
    if category is None:
        code = code.strip().upper()
        if not code or Category.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Give a code that no other class has.")})
        category = Category(code=code)
        before = None
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
        if fields.get("parent") is not None and category.children.exists():
            raise ValidationError({"parent": _("A major class with minor classes stays major.")})
        before = snapshot(category)
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    category.save()
    _log(acting_user, category, before)
    return category


@transaction.atomic
def save_time_limit(
    acting_user: User,
    *,
    category: Category | None,
    grade: str,
    area_class: str,
    stage: str,
    amount: int,
    unit: str,
) -> TimeLimit:
    """Set the limit of one (class, grade, area class, stage); an existing rule is changed."""
    _require_settings(acting_user)
    if not 1 <= amount <= 10_000:
        raise ValidationError({"amount": _("Give an amount between 1 and 10000.")})
    existing = (
        TimeLimit.objects.select_for_update()
        .filter(category=category, grade=grade, area_class=area_class, stage=stage)
        .first()
    )
    before = snapshot(existing) if existing else None
    limit = existing or TimeLimit(
        category=category, grade=grade, area_class=area_class, stage=stage
    )
    limit.amount, limit.unit = amount, unit
    limit.full_clean(validate_constraints=False)
    limit.save()
    _log(acting_user, limit, before)
    return limit


@transaction.atomic
def save_grade_rule(
    acting_user: User,
    *,
    category: Category | None,
    grade: str,
    natural_time: bool,
    handling_level: str,
    note: str = "",
) -> GradeRule:
    _require_settings(acting_user)
    existing = GradeRule.objects.select_for_update().filter(category=category, grade=grade).first()
    before = snapshot(existing) if existing else None
    rule = existing or GradeRule(category=category, grade=grade)
    rule.natural_time, rule.handling_level, rule.note = natural_time, handling_level, note
    rule.full_clean(validate_constraints=False)
    rule.save()
    _log(acting_user, rule, before)
    return rule


def routing_rules_for(user) -> QuerySet:
    """The routing rules a user may see: those whose department lies in their scope."""
    departments = restrict(Department.objects.all(), user)
    return RoutingRule.objects.filter(department__in=departments.values("pk")).select_related(
        "category", "department"
    )


def _require_routing(user, area_prefix: str, department: Department) -> None:
    if not (user_may(user, Action.MANAGE_SETTINGS) or user_may(user, Action.MANAGE_AREAS)):
        raise PermissionDenied(_("You may not change routing rules."))
    if not has_global_scope(user):
        if not area_prefix or not code_in_scope(user, area_prefix):
            raise PermissionDenied(_("The area of a routing rule must lie within your scope."))
        if not restrict(Department.objects.filter(pk=department.pk), user).exists():
            raise PermissionDenied(_("The department must lie within your scope."))


@transaction.atomic
def save_routing_rule(
    acting_user: User,
    *,
    category: Category | None,
    area_prefix: str,
    department: Department,
    note: str = "",
) -> RoutingRule:
    area_prefix = area_prefix.strip()
    if area_prefix and not area_prefix.isdigit():
        raise ValidationError({"area_prefix": _("An area code has digits only.")})
    _require_routing(acting_user, area_prefix, department)
    rule = RoutingRule(category=category, area_prefix=area_prefix, department=department, note=note)
    rule.full_clean()
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ValidationError(_("This rule exists already.")) from exc
    _log(acting_user, rule, None)
    return rule


@transaction.atomic
def delete_rule(acting_user: User, rule: TimeLimit | GradeRule | RoutingRule) -> None:
    """Remove a time limit, grade rule or routing rule (the next more general one applies)."""
    if isinstance(rule, RoutingRule):
        _require_routing(acting_user, rule.area_prefix, rule.department)
    else:
        _require_settings(acting_user)
    _log(acting_user, rule, snapshot(rule), deleted=True)
    rule.delete()
