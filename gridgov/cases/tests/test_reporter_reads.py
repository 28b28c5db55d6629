"""A reporter's details on a case page: in full for the command center (and the access log),
masked for the rest."""

import pytest

from gridgov.audit.models import AccessLog
from gridgov.cases import services as cases
from gridgov.cases.tests.conftest import POINT_A

PHONE = "13912345678"


@pytest.fixture
def case(loop):
    made, _created = cases.report_case(
        actor=loop["member_a"],
        channel="grid_member",
        description="井盖松动",
        category="C0101",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="赵六",
        reporter_phone=PHONE,
    )
    return made


def test_command_staff_see_the_reporter_in_full_and_it_is_logged(case, loop, client_for):
    page = client_for(loop["op_a"]).get(f"/cases/{case.pk}/").content.decode()
    assert PHONE in page and "赵六" in page
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.subject_type, entry.subject_id) == (
        loop["op_a"],
        "cases.case",
        str(case.pk),
    )
    assert entry.fields == ["reporter_name", "reporter_phone"]
    assert entry.area_code == case.area_code


def test_others_see_the_reporter_masked_and_nothing_is_logged(case, loop, client_for):
    page = client_for(loop["handler"]).get(f"/cases/{case.pk}/")
    if page.status_code == 200:  # a handler sees the case only once it is dispatched
        html = page.content.decode()
        assert PHONE not in html and "139****5678" in html
    leader = client_for(loop["leader"]).get(f"/cases/{case.pk}/").content.decode()
    assert PHONE not in leader and "139****5678" in leader and "赵*" in leader
    assert not AccessLog.objects.exists()


def test_the_reporter_sees_their_own_report_without_a_log_row(case, loop, client_for):
    page = client_for(loop["member_a"]).get(f"/cases/{case.pk}/").content.decode()
    assert PHONE in page
    assert not AccessLog.objects.exists()
