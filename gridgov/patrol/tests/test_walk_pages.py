"""Defects of the patrol phone pages found by walking them as a grid member (session 31)."""

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/patrol/phone/track/?day=0001-01-01",
        "/patrol/phone/track/?day=9999-12-31",
        "/patrol/phone/coverage/?period=day&day=0001-01-01",
        "/patrol/phone/coverage/?period=month&day=9999-12-31",
        "/patrol/tracks/?day=9999-12-31",
    ],
)
def test_a_day_out_of_range_is_a_404_not_a_500(users, client_for, url):
    assert client_for(users["member_a"]).get(url).status_code == 404


def test_the_diary_form_offers_today_not_an_empty_date(users, client_for):
    html = client_for(users["member_a"]).get("/patrol/phone/diary/").content.decode()
    day = re.search(r'<input type="date" name="day"[^>]*>', html).group(0)
    assert f'value="{timezone.localdate().isoformat()}"' in day
