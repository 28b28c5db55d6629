"""ID and phone numbers sealed at rest: what the database holds, what Python sees, how they
are found, and what happens with a wrong key."""

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction

from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_user
from gridgov.accounts.system import SETUP, system_user
from gridgov.cases import services as cases
from gridgov.cases.models import Case
from gridgov.crypto.blind_index import normalise
from gridgov.crypto.keys import DataKeyError, forget_keyring, format_keys, parse_keys
from gridgov.crypto.migration import SealedColumn, seal_in_place
from gridgov.registry.models import Organization, Person

ID_A = "11010519491231002X"
ID_B = "410105198001010017"
PHONE = "13800001111"


def raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def person(id_number=ID_A, phone=PHONE, area_code="410105001001") -> Person:
    return Person.objects.create(name="张三", id_number=id_number, phone=phone, area_code=area_code)


@pytest.mark.django_db
def test_round_trip_and_the_database_never_holds_the_plain_value(key_file):
    p = person()
    fresh = Person.objects.get(pk=p.pk)
    assert (fresh.id_number, fresh.phone) == (ID_A, PHONE)
    assert Person.objects.filter(pk=p.pk).values_list("id_number", "phone").get() == (ID_A, PHONE)
    stored = raw("registry_person", "*", p.pk)
    assert not [v for v in stored if isinstance(v, str) and (ID_A in v or PHONE in v)]
    token, index, masked = raw(
        "registry_person", "id_number, id_number_index, id_number_masked", p.pk
    )
    assert token.startswith("1$") and len(index) == 22 and masked == "1101**********002X"
    assert raw("registry_person", "phone_masked", p.pk) == ("138****1111",)
    # The same value sealed twice differs (random nonce): equal numbers are not visible.
    other = Person.objects.create(name="李四", phone=PHONE, area_code="410105001001")
    assert raw("registry_person", "phone", other.pk)[0] != raw("registry_person", "phone", p.pk)[0]


@pytest.mark.django_db
def test_a_wrong_key_or_an_altered_value_does_not_open(key_file):
    p = person()
    key_file.write_text(format_keys({1: b"\x01" * 32}))  # same version, another key
    forget_keyring()
    with pytest.raises(DataKeyError):
        Person.objects.get(pk=p.pk)


@pytest.mark.django_db
def test_a_sealed_value_copied_to_another_column_does_not_open(key_file):
    p = person()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_person SET phone = id_number WHERE id = %s", [p.pk])
    with pytest.raises(DataKeyError):
        Person.objects.get(pk=p.pk)


@pytest.mark.django_db
def test_blind_index_equality_and_uniqueness(key_file):
    p = person()
    q = person(id_number=ID_B, phone="13900002222")
    assert p.id_number_index != q.id_number_index and p.phone_index != q.phone_index
    assert normalise(" 13900002222 ") == normalise("13900002222")
    # The same phone has the same index in every table (one kind), an ID number never does.
    org = Organization.objects.create(name="某公司", phone=PHONE, area_code="410105001001")
    assert raw("registry_organization", "phone_index", org.pk)[0] == p.phone_index
    with pytest.raises(IntegrityError), transaction.atomic():
        person(phone="")
    assert Person.objects.filter(id_number=ID_A).count() == 1


@pytest.mark.django_db
def test_exact_search_through_the_index_and_no_partial_search(key_file):
    p = person()
    person(id_number=ID_B, phone="13900002222")
    assert list(Person.objects.filter(id_number=ID_A)) == [p]
    assert list(Person.objects.filter(phone="13800001111")) == [p]
    assert Person.objects.filter(id_number__in=[ID_A, ID_B]).count() == 2
    assert not Person.objects.filter(id_number="110105194912310000").exists()
    assert Person.objects.filter(id_number__isnull=False).count() == 2
    assert Person.objects.filter(phone="").count() == 0
    for lookup in ("startswith", "endswith", "contains", "gt"):
        with pytest.raises(FieldError):
            Person.objects.filter(**{f"id_number__{lookup}": "1101"}).exists()


@pytest.mark.django_db
def test_saving_some_fields_keeps_the_index_and_mask_in_step(key_file):
    p = person()
    p.phone = "13912345678"
    p.save(update_fields=["phone"])
    assert list(Person.objects.filter(phone="13912345678")) == [p]
    assert raw("registry_person", "phone_masked", p.pk) == ("139****5678",)
    p.phone = "13700000000"
    Person.objects.bulk_update([p], ["phone", "phone_index", "phone_masked"])
    assert list(Person.objects.filter(phone="13700000000")) == [p]
    # Lists read the stored masked form without opening the sealed value.
    listed = Person.objects.only("id", "id_number_masked").get(pk=p.pk)
    assert listed.id_number_masked == "1101**********002X"
    assert "id_number" in listed.get_deferred_fields()


@pytest.mark.django_db
def test_intake_and_users_seal_phone_numbers(key_file, users):
    case, _ = cases.report_case(
        actor=users["member_a"],
        channel="grid_member",
        description="路灯坏了",
        lon=113.605,
        lat=34.7175,
        reporter_phone="13812345678",
    )
    assert raw("cases_case", "reporter_phone", case.pk)[0].startswith("1$")
    assert Case.objects.get(pk=case.pk).reporter_phone == "13812345678"
    assert list(Case.objects.filter(reporter_phone="13812345678")) == [case]
    user = create_user(
        actor=system_user(SETUP),
        username="u1",
        password="pw-u1",
        role=Role.GRID_MEMBER,
        phone="13600000000",
    )
    assert raw("accounts_user", "phone", user.pk)[0].startswith("1$")
    assert type(user).objects.get(phone="13600000000") == user


@pytest.mark.django_db
def test_the_data_migration_seals_plain_rows_in_place_and_back(key_file):
    p = person()
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute(
            "UPDATE registry_person SET id_number = %s, id_number_index = NULL, "
            "id_number_masked = '' WHERE id = %s",
            [ID_A, p.pk],
        )
    column = SealedColumn(
        "registry_person",
        "id_number",
        "registry.person.id_number",
        "id_number",
        "id_number_index",
        "id_number_masked",
        "gridgov.registry.identity.mask_id",
    )
    assert seal_in_place(connection.schema_editor(), column) == 1
    assert seal_in_place(connection.schema_editor(), column) == 0  # idempotent
    assert Person.objects.get(id_number=ID_A).pk == p.pk
    assert raw("registry_person", "id_number_masked", p.pk) == ("1101**********002X",)
    assert seal_in_place(connection.schema_editor(), column, reverse=True) == 1
    assert raw("registry_person", "id_number", p.pk) == (ID_A,)


def test_keys_from_the_setting(settings):
    settings.GRIDGOV_DATA_KEYS = f"1:{'ab' * 32},2:{'cd' * 32}"
    forget_keyring()
    try:
        from gridgov.crypto.keys import keyring

        assert keyring().current.version == 2 and sorted(keyring().keys) == [1, 2]
        assert parse_keys(format_keys({3: b"\x02" * 32})) == {3: b"\x02" * 32}
    finally:
        forget_keyring()


@pytest.mark.django_db
def test_other_identifiers_are_sealed_and_unique_per_kind(key_file):
    p = Person.objects.create(
        name="约翰", other_id_type="passport", other_id="E12345678", area_code="410105001001"
    )
    token, masked = raw("registry_person", "other_id, other_id_masked", p.pk)
    assert token.startswith("1$") and "E12345678" not in token and masked == "E123**********5678"
    assert Person.objects.get(other_id_type="passport", other_id="E12345678") == p
    Person.objects.create(  # the same number as another kind of document is another record
        name="约翰", other_id_type="residence", other_id="E12345678", area_code="410105001001"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            name="约翰", other_id_type="passport", other_id="E12345678", area_code="1"
        )


@pytest.mark.django_db
def test_the_migration_seals_the_rows_that_were_plain(key_file):
    """Its RunPython step over a row as the migration finds it: plain values, no index or mask
    (migrating the whole project back and forth to build that row took a minute)."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations import RunPython

    migration = import_module("gridgov.registry.migrations.0004_seal_identifiers")
    (step,) = [op for op in migration.Migration.operations if isinstance(op, RunPython)]
    assert step.code is migration.forward and step.reverse_code is migration.backward

    pk = person().pk
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET id_number = %s, phone = %s, id_number_index = NULL, "
            "id_number_masked = '', phone_index = NULL, phone_masked = '' WHERE id = %s",
            [ID_A, PHONE, pk],
        )
    editor = SimpleNamespace(connection=connection)  # all a sealing step uses of it
    migration.forward(None, editor)
    token, masked = raw("registry_person", "id_number, phone_masked", pk)
    assert token.startswith("1$") and masked == "138****1111"
    assert Person.objects.get(phone=PHONE).id_number == ID_A

    migration.backward(None, editor)
    assert raw("registry_person", "id_number, phone, id_number_index", pk) == (ID_A, PHONE, None)


@pytest.mark.django_db
def test_lists_show_masked_numbers_without_decrypting(key_file, users, client_for, monkeypatch):
    from gridgov.crypto.cipher import SoftwareCipher

    person()
    opened = []
    real_open = SoftwareCipher.open
    monkeypatch.setattr(
        SoftwareCipher, "open", lambda self, t, c: opened.append(c) or real_open(self, t, c)
    )
    client = client_for(users["admin"])
    page = client.get("/registry/people/").content.decode()
    items = client.get("/api/v1/people").json()["items"]
    assert "1101**********002X" in page and "138****1111" in page
    assert [(i["id_number"], i["phone"]) for i in items] == [("1101**********002X", "138****1111")]
    assert opened == []
