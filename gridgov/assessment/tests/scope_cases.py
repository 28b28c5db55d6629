from gridgov.assessment import periods
from gridgov.assessment.models import MonthlyReport
from gridgov.assessment.rollup import roll_up
from gridgov.tests.scope import Case

STREET_B_NAME = "花园路街道"
DEPARTMENT_B = "乙街道执法中队"


def setup(world) -> None:
    """Street B's case (made by the cases setup) rolled up, and a published report of street B."""
    roll_up(full=True)
    MonthlyReport.objects.create(
        area_code="410105002",
        month=_last_month(),
        status="published",
        data={"area": {"code": "410105002", "name": STREET_B_NAME}, "score": 88},
    )


def _this_month() -> str:
    """The scope world's cases are of this month; the pages open on the last complete one."""
    return periods.current_month()


def _last_month() -> str:
    return periods.last_months(2)[0]


def _names(world) -> list[str]:
    return [STREET_B_NAME, DEPARTMENT_B]


def _street(world) -> list[str]:
    return [STREET_B_NAME]


def _department(world) -> list[str]:
    return [DEPARTMENT_B]


CASES = [
    Case("assessment/", lambda w: "/assessment/", expect=200, absent=_street),
    Case("assessment/", lambda w: "/assessment/?kind=area&unit=410105002"),
    Case("assessment/", lambda w: "/assessment/?kind=area&unit=41010500200101"),
    Case(
        "assessment/rankings/",
        lambda w: f"/assessment/rankings/?kind=area&level=street&period={_this_month()}",
        expect=200,
        absent=_street,
    ),
    Case(
        "assessment/rankings/",
        lambda w: f"/assessment/rankings/?kind=department&period={_this_month()}",
        expect=200,
        absent=_department,
    ),
    Case(
        "assessment/rankings/",
        lambda w: "/assessment/rankings/?kind=area&level=community&parent=410105002",
    ),
    Case(
        "assessment/cases/",
        lambda w: "/assessment/cases/?kind=area&unit=410105002&indicator=reports&part=numerator",
    ),
    Case(
        "assessment/cards/",
        lambda w: f"/assessment/cards/?period={_this_month()}",
        expect=200,
        absent=_names,
    ),
    Case("assessment/cards/", lambda w: "/assessment/cards/?area=410105002"),
    Case("assessment/reports/", lambda w: "/assessment/reports/", expect=200, absent=_street),
    Case(
        "assessment/reports/<str:area>/<str:month>/",
        lambda w: f"/assessment/reports/410105002/{_last_month()}/",
    ),
    Case(
        "assessment/reports/<str:area>/<str:month>/publish/",
        lambda w: f"/assessment/reports/410105002/{_last_month()}/publish/",
        "POST",
        multipart=True,
    ),
    Case(
        "assessment/schemes/",
        lambda w: "/assessment/schemes/",
        expect=200,
        not_live="the assessment schemes are the same for every area",
    ),
    Case("assessment/schemes/<str:code>/", lambda w: "/assessment/schemes/area/", expect=403),
    Case(
        "assessment/schemes/<str:code>/",
        lambda w: "/assessment/schemes/area/",
        "POST",
        lambda w: {"name": "x"},
        expect=403,
        multipart=True,
    ),
    Case(
        "api/v1/assessment/indicators",
        lambda w: "/api/v1/assessment/indicators?kind=area&unit=410105002",
    ),
    Case(
        "api/v1/assessment/rankings",
        lambda w: f"/api/v1/assessment/rankings?kind=department&level=&period={_this_month()}",
        expect=200,
        absent=_department,
    ),
    Case(
        "api/v1/assessment/rankings",
        lambda w: f"/api/v1/assessment/rankings?kind=area&level=street&period={_this_month()}",
        expect=200,
        absent=_street,
    ),
    Case(
        "api/v1/assessment/cases",
        lambda w: "/api/v1/assessment/cases?kind=area&unit=410105002&indicator=reports",
    ),
    Case("api/v1/assessment/cards", lambda w: "/api/v1/assessment/cards?area=410105002"),
    Case(
        "api/v1/assessment/cards",
        lambda w: f"/api/v1/assessment/cards?period={_this_month()}",
        expect=200,
        absent=_names,
    ),
]
