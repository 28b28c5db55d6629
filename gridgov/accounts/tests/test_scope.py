import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import given
from hypothesis import strategies as st

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import (
    code_in_scope,
    get_for_user,
    minimal_prefixes,
    restrict,
    scope_prefixes,
)
from gridgov.areas.models import Area
from gridgov.conftest import make_user

digits = st.text(alphabet="0123456789", min_size=1, max_size=8)


@given(st.lists(digits, max_size=8))
def test_minimal_prefixes_cover_the_same_codes(codes):
    prefixes = minimal_prefixes(codes)
    assert all(not a.startswith(b) for a in prefixes for b in prefixes if a != b)
    for code in codes:
        assert any(code.startswith(p) for p in prefixes)


def test_restrict_by_prefix(tree, users):
    seen = set(restrict(Area.objects.all(), users["op_a"]).values_list("code", flat=True))
    assert seen and all(c.startswith("410105001") for c in seen)
    assert len(seen) == 1 + 2 + 8
    assert restrict(Area.objects.all(), users["admin"]).count() == Area.objects.count()


def test_restrict_by_action_and_login(tree, users):
    assert restrict(Area.objects.all(), users["leader"], Action.MANAGE_AREAS).count() == 0
    assert restrict(Area.objects.all(), users["op_a"], Action.MANAGE_AREAS).count() == 11
    assert restrict(Area.objects.all(), AnonymousUser()).count() == 0
    users["op_a"].is_active = False
    assert restrict(Area.objects.all(), users["op_a"]).count() == 0


def test_a_user_without_scope_sees_nothing(tree):
    nobody = make_user("nobody", Role.STREET_OPERATOR, [])
    assert restrict(Area.objects.all(), nobody).count() == 0


def test_several_scope_codes(tree):
    two = make_user("two", Role.COMMUNITY_STAFF, ["410105001001", "410105002002"])
    codes = set(restrict(Area.objects.all(), two).values_list("code", flat=True))
    assert len(codes) == 10 and {c[:12] for c in codes} == {"410105001001", "410105002002"}


def test_get_for_user_is_404_outside(tree, users):
    from django.http import Http404

    assert get_for_user(Area.objects.all(), users["op_a"], code="410105001").code == "410105001"
    with pytest.raises(Http404):
        get_for_user(Area.objects.all(), users["op_a"], code="410105002")


def test_code_checks(tree, users):
    assert code_in_scope(users["op_a"], "41010500100101")
    assert not code_in_scope(users["op_a"], "41010500200101")
    assert not code_in_scope(users["op_a"], "")
    assert not code_in_scope(users["op_a"], None)
    assert code_in_scope(users["admin"], "41010500200101")
    assert code_in_scope(users["op_a"], "41010500100101", Action.MANAGE_AREAS)
    assert not code_in_scope(users["leader"], "41010500100101", Action.MANAGE_AREAS)
    assert not code_in_scope(AnonymousUser(), "41010500100101", Action.VIEW)


def test_within_narrows_inside_the_scope_only(tree, users):
    grids = restrict(Area.objects.all(), users["op_a"], within="410105001001")
    assert set(grids.values_list("code", flat=True)) == {
        "410105001001",
        *(f"4101050010010{i}" for i in range(1, 5)),
    }
    assert not restrict(Area.objects.all(), users["op_a"], within="410105002").exists()
    assert restrict(Area.objects.all(), users["admin"], within="410105002").count() == 11
    assert restrict(Area.objects.all(), users["op_a"], within="").count() == 11


def test_field_judges_another_code(tree, users):
    """`field` restricts by another code column (the level holding a case) without the model's
    widening."""
    seen = restrict(Area.objects.all(), users["op_a"], field="parent__code")
    assert set(seen.values_list("level", flat=True)) == {"community", "grid"}


def test_scope_prefixes_for_raw_sql(tree, users):
    assert scope_prefixes(users["admin"]) is None
    assert scope_prefixes(users["op_a"]) == ["410105001"]
    assert scope_prefixes(users["leader"], Action.MANAGE_AREAS) == []


def test_a_user_with_two_scope_areas_is_found_once(tree, users):
    """A user's scope areas are a many-to-many: a manager over both must get the user once, and
    one object from get_for_user (not MultipleObjectsReturned)."""
    two = make_user("two", Role.COMMUNITY_STAFF, ["410105001001", "410105001002"])
    found = restrict(User.objects.all(), users["op_a"], Action.MANAGE_USERS).filter(pk=two.pk)
    assert found.count() == 1
    assert (
        get_for_user(User.objects.all(), users["district"], Action.MANAGE_USERS, pk=two.pk) == two
    )
