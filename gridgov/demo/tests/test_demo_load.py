"""The whole demo (small size): a load is all or nothing (its content: test_demo_truth.py)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.accounts.models import User
from gridgov.areas.models import Area

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_a_failed_load_leaves_nothing_and_the_next_run_loads(settings, tmp_path, monkeypatch):
    accounts = tmp_path / "accounts.json"
    settings.GRIDGOV_DEMO_ACCOUNTS_FILE = accounts

    def broken(self, **options):
        assert Area.objects.exists() and User.objects.exists()  # written by then
        raise RuntimeError("the first part's demo fails")

    # The parts' demos in turn (notify, registry, …) would take minutes to write before a later
    # one failed; failing at the first is the same case for the transaction.
    monkeypatch.setattr("gridgov.demo.management.commands.load_demo.Command._other_parts", broken)
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
