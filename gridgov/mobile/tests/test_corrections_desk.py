"""The desk's list of conflicts from the phone: the desk staff of the scope see who corrected
what (member by full name, the record, the field, the desk's value and the phone's) and resolve
through the same service; outsiders see nothing; the editor shows by full name on both sides."""

import pytest

from gridgov.mobile.models import CorrectionState
from gridgov.mobile.tests.test_corrections import _conflict, home  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def names(users):
    for key, full in (("op_a", "王建国"), ("member_a", "李网格")):
        users[key].full_name = full
        users[key].save(update_fields=["full_name"])


def test_the_desk_lists_open_conflicts_of_its_scope_and_resolves_them(
    home,  # noqa: F811
    users,
    names,
    client_for,
):
    correction = _conflict(home, users)
    assert correction.desk_changed_by == "王建国"  # the editor's full name, not "op_a"
    desk = client_for(users["op_a"])
    page = desk.get("/m/desk/conflicts/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert str(correction.pk) in html and "李网格" in html and "李**" in html
    assert "工程师" in html and "退休" in html  # the desk's value and the phone's
    assert "王建国" in html and ">op_a<" not in html
    assert f"/registry/people/{home['person'].pk}/" in html
    # an outsider (street B) and a member of another grid see none of it
    other = client_for(users["op_b"]).get("/m/desk/conflicts/").content.decode()
    assert str(correction.pk) not in other and "退休" not in other
    # the administrator sees it too, and takes the phone's values from the desk list
    assert (
        str(correction.pk) in client_for(users["admin"]).get("/m/desk/conflicts/").content.decode()
    )
    answer = desk.post(
        f"/m/conflicts/{correction.pk}/resolve/", {"keep": "mine", "next": "/m/desk/conflicts/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/m/desk/conflicts/"
    correction.refresh_from_db()
    home["person"].refresh_from_db()
    assert correction.state == CorrectionState.MINE and correction.resolved_by == users["op_a"]
    assert home["person"].occupation == "退休"
    after = desk.get("/m/desk/conflicts/").content.decode()
    assert str(correction.pk) not in after
    # a foreign "next" is not followed
    bad = desk.post(
        f"/m/conflicts/{correction.pk}/resolve/", {"keep": "desk", "next": "https://evil.test/"}
    )
    assert bad["Location"] == "/m/conflicts/"


def test_the_phone_card_names_the_desk_editor_in_full(
    home,  # noqa: F811
    users,
    names,
    client_for,
):
    correction = _conflict(home, users)
    # a conflict kept before names were stored carries the username: shown by full name too
    type(correction).objects.filter(pk=correction.pk).update(desk_changed_by="op_a")
    phone = client_for(users["member_a"])
    card = phone.get("/m/conflicts/").content.decode()
    assert "王建国" in card and " op_a " not in card
    # a member is sent from the desk list to their own phone list
    assert phone.get("/m/desk/conflicts/")["Location"] == "/m/conflicts/"
