"""The whole demo (small size): values fit their columns, and a load is all or nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.db.models.functions import Length

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.cases.models import Case
from gridgov.registry.models import Person

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


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


def test_every_demo_value_fits_its_column(settings, tmp_path):
    settings.GRIDGOV_DEMO_ACCOUNTS_FILE = tmp_path / "accounts.json"
    call_command("load_demo", size="small", stdout=io.StringIO())
    assert Person.objects.exists() and Case.objects.exists()
    assert _too_long() == []


def test_a_failed_load_leaves_nothing_and_the_next_run_loads(settings, tmp_path, monkeypatch):
    accounts = tmp_path / "accounts.json"
    settings.GRIDGOV_DEMO_ACCOUNTS_FILE = accounts

    def broken(**options):
        assert Area.objects.exists() and User.objects.exists()  # written by then
        raise RuntimeError("the registry part of the demo fails")

    monkeypatch.setattr("gridgov.registry.demo_data.load", broken)
    with pytest.raises(RuntimeError):
        call_command("load_demo", if_empty=True, size="small", stdout=io.StringIO())
    assert not Area.objects.exists() and not User.objects.exists()
    assert not accounts.exists()

    monkeypatch.undo()
    call_command("load_demo", if_empty=True, only_areas=True, stdout=io.StringIO())
    assert Area.objects.exists() and accounts.exists()


def test_a_half_loaded_demo_is_not_served(settings, tmp_path, tree):
    """Areas without the accounts file: a load that died before this fix. `make demo` stops."""
    settings.GRIDGOV_DEMO_ACCOUNTS_FILE = tmp_path / "accounts.json"
    with pytest.raises(CommandError, match="did not finish"):
        call_command("load_demo", if_empty=True, stdout=io.StringIO())
