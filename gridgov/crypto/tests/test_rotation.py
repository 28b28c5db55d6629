"""`gridgov rotate_data_key`: a new key version, every row re-sealed and re-indexed, old rows
readable and findable meanwhile, and old versions retired only when unused."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.crypto.keys import add_key_version, forget_keyring, keyring, parse_keys
from gridgov.registry.models import Person

IDS = ["11010519491231002X", "410105198001010017", "410105200506150023"]


def tokens() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_index FROM registry_person ORDER BY id")
        return cursor.fetchall()


@pytest.fixture
def people(key_file):
    return [
        Person.objects.create(
            name=f"人{i}", id_number=n, phone=f"1380000{i:04d}", area_code="410105001001"
        )
        for i, n in enumerate(IDS)
    ]


@pytest.mark.django_db
def test_old_rows_stay_readable_and_findable_before_they_are_rotated(people):
    add_key_version()
    assert keyring().current.version == 2
    assert all(token.startswith("1$") for token, _i in tokens())
    assert Person.objects.get(id_number=IDS[1]).pk == people[1].pk  # index of version 1
    new = Person.objects.create(name="新", id_number="110105194912310000", area_code="1")
    assert new.id_number_index not in {i for _t, i in tokens()[:3]}


@pytest.mark.django_db
def test_rotation_reseals_and_reindexes_every_row_in_batches(people, key_file):
    before = tokens()
    out = io.StringIO()
    call_command("rotate_data_key", wait=0, batch_size=2, stdout=out)
    after = tokens()
    assert all(t.startswith("2$") for t, _i in after)
    assert all(b[1] != a[1] for b, a in zip(before, after, strict=True))
    assert [p.id_number for p in Person.objects.order_by("id")] == IDS
    assert Person.objects.get(id_number=IDS[2]).pk == people[2].pk
    assert Person.objects.get(phone="13800000001").pk == people[1].pk
    text = out.getvalue()
    assert "registry.person.id_number: 2/3" in text and "registry.person.id_number: 3/3" in text
    assert "Every sealed value is on version 2" in text
    assert sorted(parse_keys(key_file.read_text())) == [1, 2]  # kept until retired


@pytest.mark.django_db
def test_retire_drops_only_unused_versions(people, key_file):
    call_command("rotate_data_key", wait=0, retire=True, stdout=io.StringIO())
    assert sorted(parse_keys(key_file.read_text())) == [2]
    forget_keyring()
    assert Person.objects.get(id_number=IDS[0]).name == "人0"


@pytest.mark.django_db
def test_resume_picks_up_rows_left_on_the_old_key(people, key_file):
    add_key_version()
    assert all(token.startswith("1$") for token, _i in tokens())  # interrupted before any row
    out = io.StringIO()
    call_command("rotate_data_key", resume=True, stdout=out)
    assert all(t.startswith("2$") for t, _i in tokens())
    assert "registry.person.phone: 3 re-sealed" in out.getvalue()


@pytest.mark.django_db
def test_keys_from_the_environment_are_rotated_there(settings, key_file):
    settings.GRIDGOV_DATA_KEYS = f"1:{'ab' * 32}"
    forget_keyring()
    with pytest.raises(CommandError, match="GRIDGOV_DATA_KEYS"):
        call_command("rotate_data_key", wait=0, stdout=io.StringIO())


@pytest.mark.django_db
def test_rotation_walks_a_table_keyed_by_uuid(key_file, users):
    """The phone's corrections are keyed by the phone's UUID: batches go by that key too
    (PostgreSQL refused `uuid > 0`)."""
    import datetime
    import uuid

    from gridgov.mobile.models import Correction, CorrectionState

    made = [
        Correction.objects.create(
            id=uuid.uuid4(),
            author=users["member_a"],
            kind="person",
            record_id=n,
            area_code="410105001001",
            base_version=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            state=CorrectionState.CONFLICT,
            phone=f"1380000000{n}",
        )
        for n in range(3)
    ]
    call_command("rotate_data_key", wait=0, batch_size=2, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM mobile_correction")
        assert sorted(p[:2] for (p,) in cursor.fetchall()) == ["2$", "2$", "2$"]
    assert [Correction.objects.get(pk=c.pk).phone for c in made] == [
        f"1380000000{n}" for n in range(3)
    ]
