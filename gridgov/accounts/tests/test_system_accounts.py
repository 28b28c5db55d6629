"""Named system accounts: one per automatic mechanism, with explicit rights, never signed in."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gridgov.accounts import services
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import code_in_scope, has_global_scope, user_may
from gridgov.accounts.system import (
    ACCOUNTS,
    DEMO,
    IMPORT,
    JOBS,
    SMS_INTAKE,
    is_system_account,
    system_user,
)
from gridgov.areas.geojson_io import export_collection
from gridgov.areas.testing import DISTRICT, STREET_B
from gridgov.audit.models import ChangeLog


def test_each_account_is_made_once_with_its_rights(tree):
    first = system_user(SMS_INTAKE)
    logged = ChangeLog.objects.filter(object_id=str(first.pk), actor=first).count()
    again = system_user(SMS_INTAKE)
    assert first.pk == again.pk and User.objects.filter(username=SMS_INTAKE).count() == 1
    assert not first.has_usable_password() and is_system_account(first)
    assert first.role == Role.GRID_MEMBER and first.scope_codes == [DISTRICT]
    assert user_may(first, Action.REPORT) and code_in_scope(first, STREET_B)
    assert not user_may(first, Action.MANAGE_USERS) and not has_global_scope(first)
    assert logged == 2  # made, then given the roots; nothing more on the next call
    assert ChangeLog.objects.filter(object_id=str(first.pk), actor=first).count() == logged
    demo = system_user(DEMO)
    assert demo.is_superuser and has_global_scope(demo)
    assert system_user(IMPORT).role == Role.ADMIN and not system_user(IMPORT).is_superuser
    assert set(ACCOUNTS) >= {SMS_INTAKE, JOBS, IMPORT, DEMO}


def test_nobody_signs_in_as_or_edits_a_system_account(tree, users, client, client_for):
    account = system_user(JOBS)
    assert client.post("/accounts/login/", {"username": JOBS, "password": ""}).status_code != 302
    assert services.login(None, JOBS, "") is None
    with pytest.raises(PermissionDenied):
        services.set_password(account, "a-new-password-1", actor=users["admin"])
    with pytest.raises(PermissionDenied):
        services.update_user(account, actor=users["admin"], full_name="me now")
    with pytest.raises(ValidationError):
        services.create_user(
            actor=users["admin"], username="system:mine", password=None, role=Role.GRID_MEMBER
        )
    assert not User.objects.get(pk=account.pk).has_usable_password()
    admin = client_for(users["admin"])
    assert admin.get(f"/accounts/users/{account.pk}/").status_code == 404
    assert admin.get(f"/accounts/users/{users['op_a'].pk}/").status_code == 200  # live
    assert JOBS not in admin.get("/accounts/users/").content.decode()
    assert "op_a" in admin.get("/accounts/users/").content.decode()


def test_a_system_account_is_held_to_its_rights(tree):
    intake = system_user(SMS_INTAKE)
    with pytest.raises(PermissionDenied):
        services.create_user(actor=intake, username="sneaky", password=None, role=Role.GRID_MEMBER)


def test_the_scope_follows_the_roots_of_the_tree(db):
    assert system_user(SMS_INTAKE).scope_codes == []
    from gridgov.areas.testing import build_tree

    build_tree()
    assert system_user(SMS_INTAKE).scope_codes == [DISTRICT]


def test_the_scope_read_to_check_the_roots_is_the_one_restrict_uses(
    tree, django_assert_num_queries
):
    """system_user reads the account's scope areas to compare them with the roots: that read is
    its scope_codes for this call (a scope changed since is read again at the next call)."""
    intake = system_user(SMS_INTAKE)
    with django_assert_num_queries(0):
        assert intake.scope_codes == [DISTRICT]
    intake.scope_areas.clear()
    again = system_user(SMS_INTAKE)  # given the roots back
    assert again.scope_codes == [DISTRICT] == User.objects.get(pk=again.pk).scope_codes


def test_a_command_line_import_names_its_account_in_the_change_log(tree, tmp_path):
    grid = tree.grids[0]
    collection = export_collection([grid])
    collection["features"][0]["properties"]["name"] = "改名网格"
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    before = ChangeLog.objects.order_by("-pk").values_list("pk", flat=True).first()
    call_command("import_areas", str(path), "--commit", stdout=io.StringIO())
    entries = ChangeLog.objects.filter(object_id=str(grid.pk), action="import", pk__gt=before)
    assert entries.exists()
    assert {(e.actor_name, e.actor) for e in entries} == {(IMPORT, system_user(IMPORT))}
