import datetime

import pytest
from django.utils import timezone

from gridgov.accounts.system import JOBS, system_user
from gridgov.cases import services
from gridgov.cases.models import Case, Status
from gridgov.cases.services import anonymise
from gridgov.cases.tests.conftest import POINT_A
from gridgov.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_case_page_of_an_anonymised_case(live_server, loop, browser_page, settings):
    settings.GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS = 30
    case, _created = services.report_case(
        actor=loop["op_a"],
        channel="hotline",
        description="来电反映经八路路灯不亮",
        category="C0101",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="王先生",
        reporter_phone="13800000001",
    )
    long_ago = timezone.now() - datetime.timedelta(days=90)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=long_ago)
    assert anonymise.anonymise_reporters(actor=system_user(JOBS))["cases"] == 1

    page = browser_page
    browser_login(page, live_server.url, "op_a", "pw-op_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    notice = page.locator("#reporter-anonymised")
    assert notice.inner_text() == "报告人信息已按期限匿名化"
    assert "13800000001" not in page.content() and "王先生" not in page.content()
    screenshot(page, "case-reporter-anonymised")
