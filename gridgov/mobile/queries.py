"""Reads for the phone: the member's to-do list, their figures and the offline bundle. Every read
of a scoped model starts from restrict(); other apps add to-do items and bundle parts through
`gridgov/<app>/phone_todo.py` (`todo_items(user) -> list[dict]`) and
`gridgov/<app>/phone_bundle.py` (`bundle_part(user) -> dict`)."""

import datetime
import hashlib
import importlib
import json
import logging
from collections.abc import Callable

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area, Level
from gridgov.cases.models import Case, Status
from gridgov.cases.models.case import OPEN_STATUSES
from gridgov.masking import mask_name
from gridgov.mobile.models import Correction, CorrectionState
from gridgov.mobile.queries_visits import due_visits, room_label
from gridgov.patrol.models import PatrolSession, SessionKind
from gridgov.registry.models import Building, Household, Person, Place, Visit

log = logging.getLogger(__name__)

TODO_LIMIT = 50
BUNDLE_CASES = 200
BUNDLE_HOUSEHOLDS = 2000
LEADER_ROLES = {Role.LEADER}


def _hooks(module: str, name: str) -> list[Callable]:
    """`name` of every installed gridgov app's `<app>.<module>`, in app order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            mod = importlib.import_module(f"{config.name}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module}":
                raise
            continue
        hook = getattr(mod, name, None)
        if callable(hook):
            found.append(hook)
    return found


def is_leader(user) -> bool:
    return user.role in LEADER_ROLES


def grid_areas(user) -> list[Area]:
    """The active grids in the user's scope (a member's own grid or grids), at most 20."""
    return list(restrict(Area.objects.active().grids(), user).order_by("code")[:20])


def _case_item(case: Case, kind: str, label: str, names: dict[str, str]) -> dict:
    # A case to verify opens in the phone's frame; handling on the spot takes the desk's form.
    page = "mobile:case" if kind == "verify" else "cases:detail"
    return {
        "kind": kind,
        "kind_label": label,
        "title": f"{case.number} {case.title}",
        "url": reverse(page, args=[case.pk]),
        "due": case.stage_deadline,
        "area_name": names.get(case.area_code, case.area_code),
    }


def case_todo(user) -> list[dict]:
    """Cases to verify in the user's scope, and the user's own reports still open to handling on
    the spot (自行处置)."""
    cases = restrict(Case.objects.all(), user)
    verify = list(cases.filter(status=Status.HANDLED).order_by("stage_deadline", "id")[:TODO_LIMIT])
    on_spot = list(
        cases.filter(status=Status.REPORTED, reporter=user).order_by("created_at", "id")[
            :TODO_LIMIT
        ]
    )
    codes = {c.area_code for c in verify + on_spot}
    names = dict(restrict(Area.objects.filter(code__in=codes), user).values_list("code", "name"))
    return [_case_item(c, "verify", _("To verify"), names) for c in verify] + [
        _case_item(c, "on_spot", _("Handle on the spot"), names) for c in on_spot
    ]


def conflicts_base(user, action: str = Action.VIEW):
    """The corrections `user` may reach: a grid member their own; a desk user those of their
    scope."""
    rows = restrict(Correction.objects.all(), user, action)
    if user.role == Role.GRID_MEMBER:
        rows = rows.filter(author=user)
    return rows


CONFLICTS_LIMIT = 100


def open_conflicts(user, *, own: bool = False):
    """Open conflicts in the user's reach, oldest first (`own`: only the user's)."""
    rows = restrict(Correction.objects.filter(author=user), user) if own else conflicts_base(user)
    return (
        rows.filter(state=CorrectionState.CONFLICT)
        .select_related("author")
        .order_by("created_at", "id")[:CONFLICTS_LIMIT]
    )


def conflict_todo(user) -> list[dict]:
    """One to-do item when the member has conflicts to resolve."""
    count = restrict(
        Correction.objects.filter(author=user, state=CorrectionState.CONFLICT), user
    ).count()
    if not count:
        return []
    return [
        {
            "kind": "conflict",
            "kind_label": _("Conflicts"),
            "title": _("%(n)d corrections met a newer desk edit: resolve them") % {"n": count},
            "url": reverse("mobile:conflicts"),
            "due": None,
            "area_name": "",
        }
    ]


def todo_items(user) -> list[dict]:
    """The whole to-do list: conflicts to resolve, then cases plus every app's `phone_todo` items,
    nearest due first (items without a due time last)."""
    items = case_todo(user)
    for hook in _hooks("phone_todo", "todo_items"):
        try:
            items.extend(hook(user))
        except Exception:  # one part's failure must not blank the member's phone
            log.exception("phone to-do hook %s failed", hook.__module__)
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    items.sort(key=lambda i: (i.get("due") or far, i.get("title", "")))
    return conflict_todo(user) + items  # conflicts first: they hold the member's unsaved work


# The member's own on-time figures on the phone: (code, label, done measure, on-time measure).
ON_TIME_ROWS = (
    ("verify", gettext_lazy("Verified on time"), "verify_done", "verify_on_time"),
    ("handle", gettext_lazy("Handled on time"), "handle_done", "handle_on_time"),
    ("tasks", gettext_lazy("Tasks done on time"), "tasks_due", "tasks_on_time"),
    ("visits", gettext_lazy("Visits done on time"), "visits_due", "visits_on_time"),
)


def member_on_time(user) -> list[dict]:
    """This month's on-time figures of the member from the assessment's tallies (rolled up
    every minute): [{code, label, on_time, of, rate}]; a row the member had nothing in shows
    0 of 0 and no rate. The member's own, never compared with anyone (no ranking)."""
    from gridgov.assessment import queries as assessment
    from gridgov.assessment.models import UnitKind
    from gridgov.assessment.periods import current_month

    sums = assessment.totals(user, UnitKind.STAFF, str(user.pk), [current_month()])
    return [
        {
            "code": code,
            "label": label,
            "on_time": sums[on_time],
            "of": sums[done],
            "rate": sums[on_time] / sums[done] if sums[done] else None,
        }
        for code, label, done, on_time in ON_TIME_ROWS
    ]


def member_stats(user) -> dict:
    """The member's own figures this month and their grids' figures. No check-in, online time or
    rankings (国办函〔2026〕12号): patrols are counted, never timed."""
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    own = restrict(Case.objects.all(), user).filter(reporter=user)
    month = own.filter(created_at__gte=month_start)
    closed = month.filter(status=Status.CLOSED)
    on_spot = month.filter(self_handled=True).count()
    visits = restrict(Visit.objects.all(), user).filter(visitor=user, time__gte=month_start).count()
    people = restrict(Person.objects.all(), user).count()
    households = restrict(Household.objects.all(), user).count()
    open_cases = restrict(Case.objects.all(), user).filter(status__in=OPEN_STATUSES).count()
    patrols = (
        restrict(PatrolSession.objects.all(), user)
        .filter(user=user, kind=SessionKind.PATROL, started_at__gte=month_start)
        .count()
    )
    return {
        "patrols_month": patrols,
        "on_time": member_on_time(user),
        "reports_month": month.count(),
        "closed_month": closed.count(),
        "on_spot_month": on_spot,
        "visits_month": visits,
        "people": people,
        "households": households,
        "open_cases": open_cases,
    }


def leader_cockpit(user) -> dict:
    """A compact cockpit of the leader's scope: the dashboard's counts and registry figures, and
    the business lines' counts of the desk cockpit (special populations only with that right)."""
    from gridgov.dashboard import queries as dashboard

    area = dashboard.area_for(user)
    open_by_status = dict(
        restrict(Case.objects.all(), user)
        .filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    return {
        "area": area,
        "counts": dashboard.counts(area),
        "registry": dashboard.registry(area),
        "lines": dashboard.lines(user, area),
        "populations": dashboard.populations(user, area),
        "open_by_status": [
            (str(Status(s).label), open_by_status.get(s, 0))
            for s in (Status.REPORTED, Status.DISPATCHED, Status.HANDLING, Status.HANDLED)
        ],
    }


# ---------------------------------------------------------------------------------------------
# the offline bundle


def bundle(user) -> dict:
    """What the phone keeps for offline use: the member's own grids (boundary), buildings,
    households (head's name masked, no identifiers), places, open cases and the member's due
    visits (person masked, no category, risk or tags: `queries_visits`). No key-population tags
    and nothing revealed."""
    grids = grid_areas(user)
    codes = [g.code for g in grids]
    buildings = (
        restrict(Building.objects.filter(area_code__in=codes), user)
        .order_by("code")
        .values("id", "code", "name", "address", "lon", "lat", "area_code")
    )
    # Plain rows, not models: four model objects a household were half the bundle's time.
    households = (
        restrict(Household.objects.filter(area_code__in=codes), user)
        .order_by(
            F("house__building__code").asc(nulls_last=True),
            "house__unit",
            "house__floor",
            "house__room",
            "number",
        )
        .values_list(
            "pk",
            "number",
            "head__name",
            "house__building__code",
            "house__code",
            "area_code",
            "house__building__name",
            "house__unit",
            "house__room",
        )[:BUNDLE_HOUSEHOLDS]
    )
    places = (
        restrict(Place.objects.filter(area_code__in=codes), user)
        .order_by("area_code", "kind", "name", "id")
        .values("id", "name", "kind", "category_code", "state", "lon", "lat", "area_code")
    )
    cases = (
        restrict(Case.objects.filter(area_code__in=codes), user)
        .filter(status__in=OPEN_STATUSES)
        .order_by("-created_at", "-id")[:BUNDLE_CASES]
    )
    data: dict = {
        "grids": [
            {
                "code": g.code,
                "name": g.name,
                "geometry": g.geometry,
                "bbox": [g.min_lon, g.min_lat, g.max_lon, g.max_lat],
            }
            for g in grids
        ],
        "buildings": list(buildings),
        "households": [
            {
                "id": pk,
                "number": number,
                "head": mask_name(head) if head is not None else "",
                "building": building or "",
                "house": house or "",
                "where": f"{building_name} {room_label(unit, room)}" if house else "",
                "area_code": area_code,
            }
            for pk, number, head, building, house, area_code, building_name, unit, room in (
                households
            )
        ],
        "places": list(places),
        "cases": [
            {
                "id": c.pk,
                "number": c.number,
                "title": c.title,
                "status": c.status,
                "lon": c.lon,
                "lat": c.lat,
                "address": c.address,
                "area_code": c.area_code,
                "created_at": c.created_at,
            }
            for c in cases
        ],
        "visits": due_visits(user),
        "parts": {},
    }
    for hook in _hooks("phone_bundle", "bundle_part"):
        app = hook.__module__.split(".")[1]
        data["parts"][app] = hook(user)
    return data


def bundle_bytes(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def grid_level() -> str:
    return Level.GRID
