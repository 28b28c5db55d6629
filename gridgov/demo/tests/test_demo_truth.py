"""The small demo, loaded once for this module: its history went through the services (every
card, escalation and supervision is in its case's timeline, and the assessment's figures follow
from the timeline), the printed community and grid accounts see a living area, and the demo has
photos, visits and a published monthly report. Its values also fit their columns."""

import io
import json
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import Count
from django.db.models.functions import Length
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from gridgov.accounts.models import User
from gridgov.accounts.scope import restrict
from gridgov.assessment.models import MonthlyReport, ReportStatus, Tally, UnitKind
from gridgov.cases.models import Attachment, Case, CaseEvent, Supervision, WhistleCall
from gridgov.cases.queries import cases_for
from gridgov.registry.models import Building, Person, Visit

# One worker takes the whole module, so the demo (the module's fixture) is loaded once.
pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.xdist_group("demo_truth")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the small demo once; everything is rolled back when the module is done."""
    folder = tmp_path_factory.mktemp("demo")
    with (
        django_db_blocker.unblock(),
        override_settings(
            GRIDGOV_DEMO_ACCOUNTS_FILE=folder / "accounts.json",
            MEDIA_ROOT=folder / "media",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        call_command("load_demo", size="small", stdout=io.StringIO())
        yield json.loads((folder / "accounts.json").read_text(encoding="utf-8"))
        transaction.set_rollback(True)
    if connection.vendor == "postgresql":
        # The rolled-back demo leaves its pages behind and statistics taken while it was
        # loading: without a vacuum, the planner took the tables for empty in the next test on
        # this database, and a demo load there (test_demo_load.py) took 700 s instead of 17 s.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("VACUUM")


def _too_long() -> list[tuple[str, str, int]]:
    """(model, field, longest) for every text column holding a value longer than it allows
    (SQLite keeps such a value, PostgreSQL refuses it)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            # A sealed column is as wide as the sealed form of its longest plain value.
            limit = getattr(field, "sealed_length", field.max_length)
            if isinstance(field, models.CharField) and limit:
                longest = (
                    model._base_manager.annotate(n=Length(field.name))
                    .order_by("-n")
                    .values_list("n", flat=True)
                    .first()
                )
                if longest and longest > limit:
                    found.append((model._meta.label, field.name, longest))
    return found


def test_every_demo_value_fits_its_column(demo):
    assert Person.objects.exists() and Case.objects.exists()
    assert _too_long() == []


def _per_case(queryset, key="case_id") -> Counter:
    return Counter(dict(queryset.values_list(key).annotate(n=Count("id"))))


def test_every_card_escalation_and_supervision_is_in_its_timeline(demo):
    events = CaseEvent.objects.all()
    cards = Counter()
    for case_id, kind in Case.objects.filter(cards__isnull=False).values_list("pk", "cards__kind"):
        cards[(case_id, kind)] += 1
    carded = Counter()
    for case_id, action in events.filter(action__in=["yellow_card", "red_card"]).values_list(
        "case_id", "action"
    ):
        carded[(case_id, action.removesuffix("_card"))] += 1
    assert cards and cards == carded

    escalated = dict(Case.objects.filter(escalations__gt=0).values_list("pk", "escalations"))
    assert escalated and escalated == dict(_per_case(events.filter(action="escalate")))

    supervised = _per_case(Supervision.objects.all())
    assert supervised and supervised == _per_case(events.filter(action="supervise"))
    assert set(Case.objects.filter(supervised=True).values_list("pk", flat=True)) == set(supervised)

    summoned = _per_case(WhistleCall.objects.all())
    assert summoned and set(summoned) == set(_per_case(events.filter(action="whistle")))
    arrived = _per_case(WhistleCall.objects.filter(reported_at__isnull=False))
    assert arrived == _per_case(events.filter(action="report_in"))

    rated = set(Case.objects.filter(satisfaction__isnull=False).values_list("pk", flat=True))
    assert rated and rated == set(_per_case(events.filter(action="rate")))


def _cohort(month: str, area: str) -> list[int]:
    """The cases reported in a local month under an area (how the assessment groups them)."""
    return [
        pk
        for pk, created in Case.objects.filter(area_code__startswith=area).values_list(
            "pk", "created_at"
        )
        if timezone.localtime(created).strftime("%Y-%m") == month
    ]


def test_the_published_figures_follow_from_the_timeline(demo):
    report = MonthlyReport.objects.get(status=ReportStatus.PUBLISHED)
    area, month = report.area_code, report.month
    tally = Tally.objects.get(unit_kind=UnitKind.AREA, unit_key=area, month=month)
    events = CaseEvent.objects.filter(case_id__in=_cohort(month, area))
    from_timeline = {
        "reports": events.filter(action="report").count(),
        "yellow_cards": events.filter(action="yellow_card").count(),
        "red_cards": events.filter(action="red_card").count(),
        "escalations": events.filter(action="escalate").count(),
        "accept_done": events.filter(stage="accept", on_time__isnull=False).count(),
        "accept_on_time": events.filter(stage="accept", on_time=True).count(),
    }
    assert from_timeline["reports"] and from_timeline["accept_done"]
    assert {k: getattr(tally, k) for k in from_timeline} == from_timeline
    frozen = {i["code"]: i for i in report.data["indicators"]}
    assert frozen["yellow_cards"]["numerator"] == from_timeline["yellow_cards"]
    assert frozen["escalations"]["numerator"] == from_timeline["escalations"]
    assert frozen["accept_on_time"]["denominator"] == from_timeline["accept_done"]

    # Over the whole year, the district's cards and escalations come from the timeline too.
    year = Tally.objects.filter(unit_kind=UnitKind.AREA, unit_key=area)
    totals = {m: sum(getattr(t, m) for t in year) for m in ("yellow_cards", "escalations")}
    everything = CaseEvent.objects.filter(case__area_code__startswith=area)
    assert totals == {
        "yellow_cards": everything.filter(action="yellow_card").count(),
        "escalations": everything.filter(action="escalate").count(),
    }
    assert totals["yellow_cards"] and totals["escalations"]


@pytest.mark.parametrize("role", ["community_staff", "grid_member"])
def test_the_printed_area_accounts_see_their_own_area_filled(demo, role):
    printed = [a for a in demo if a["role"] == role]
    assert len(printed) == 1
    user = User.objects.get(username=printed[0]["username"])
    (area,) = printed[0]["scope"]
    seen = {
        "residents": restrict(Person.objects.all(), user),
        "buildings": restrict(Building.objects.all(), user),
        "visits": restrict(Visit.objects.all(), user),
        "cases": cases_for(user),
    }
    counts = {name: rows.count() for name, rows in seen.items()}
    assert all(counts.values()), counts
    for rows in seen.values():
        assert all(code.startswith(area) for code in rows.values_list("area_code", flat=True))
    visited_by_grid = Visit.objects.filter(area_code__startswith=area, visitor__isnull=False)
    assert visited_by_grid.exists()


def test_cases_carry_photos_that_are_images(demo):
    photos = Attachment.objects.filter(case__isnull=False)
    assert photos.filter(kind="report").exists() and photos.filter(kind="after").exists()
    photo = photos.first()
    for stored in (photo.original, photo.public, photo.thumbnail):
        with Image.open(stored.path) as image:
            image.verify()
    assert photo.event is not None and photo.event.case_id == photo.case_id


def test_a_monthly_report_is_published_and_visits_are_recorded(demo):
    report = MonthlyReport.objects.get(status=ReportStatus.PUBLISHED)
    assert report.data["indicators"] and report.published_by.username == "leader"
    assert Visit.objects.count() >= 10
    last = Visit.objects.order_by("-time").first()
    assert last.time <= timezone.now() and last.tag is not None
