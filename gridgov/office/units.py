"""Units a document is addressed to or handled by: an area's office ("area:<code>") or a
department ("dept:<code>"), found through the scope."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area, Level


def unit_choices(user) -> list[tuple[str, str]]:
    areas = (
        restrict(Area.objects.active(), user)
        .filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
        .order_by("code")[:500]
    )
    departments = restrict(Department.objects.filter(active=True), user).order_by("code")[:300]
    return [(f"area:{a.code}", a.name) for a in areas] + [
        (f"dept:{d.code}", d.name) for d in departments
    ]


def units_from(user, values, field: str = "main") -> list:
    """The areas and departments named, each inside the user's scope, or a ValidationError."""
    found = []
    for value in values:
        kind, _sep, code = str(value).partition(":")
        if kind == "area":
            unit = restrict(Area.objects.all(), user).filter(code=code).first()
        elif kind == "dept":
            unit = restrict(Department.objects.all(), user).filter(code=code).first()
        else:
            unit = None
        if unit is None:
            raise ValidationError(
                {field: _("Unknown unit or outside your scope: %(v)s") % {"v": str(value)[:40]}}
            )
        found.append(unit)
    return found
