import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AccessLog, ChangeLog
from gridgov.registry import services
from gridgov.registry.models import Person, Residence
from gridgov.registry.tests.conftest import ID_A, ID_C


def test_derived_fields_come_from_the_id_number(homes):
    person = homes["person_a"]
    assert (person.sex, str(person.birth_date), person.origin_code) == ("F", "1949-12-31", "110105")
    assert person.area_code == homes["house_a"].area_code


def test_the_same_id_updates_instead_of_duplicating(homes, users):
    again, created = services.save_person(
        {"name": "张三丰", "id_number": ID_A, "registration": "registered"},
        actor=users["admin"],
        house=homes["house_a"],
    )
    assert not created and again.pk == homes["person_a"].pk and again.name == "张三丰"
    assert Person.objects.filter(id_number=ID_A).count() == 1


def test_people_without_id_use_another_identifier(homes, users):
    baby, created = services.save_person(
        {
            "name": "新生儿",
            "other_id_type": "birth",
            "other_id": "Q410100123",
            "registration": "registered",
        },
        actor=users["admin"],
        house=homes["house_a"],
    )
    assert created and baby.id_number is None
    same, created = services.save_person(
        {
            "name": "新生儿",
            "other_id_type": "birth",
            "other_id": "Q410100123",
            "registration": "registered",
        },
        actor=users["admin"],
        house=homes["house_a"],
    )
    assert not created and same.pk == baby.pk
    with pytest.raises(ValidationError):
        services.save_person(
            {"name": "无证件", "registration": "registered"},
            actor=users["admin"],
            house=homes["house_a"],
        )


def test_foreigners_need_a_nationality(homes, users):
    with pytest.raises(ValidationError) as info:
        services.save_person(
            {
                "name": "John",
                "other_id_type": "passport",
                "other_id": "E1234567",
                "registration": "overseas",
            },
            actor=users["admin"],
            house=homes["house_a"],
        )
    assert "nationality" in info.value.message_dict


def test_moving_keeps_history(homes, users):
    person = homes["person_a"]
    other = homes["house_a"].building.houses.exclude(pk=homes["house_a"].pk).first()
    services.move_in(person, other, actor=users["admin"])
    assert Residence.objects.filter(person=person).count() == 2
    assert Residence.objects.get(person=person, until__isnull=True).house == other
    services.move_out(person, actor=users["admin"])
    assert not Residence.objects.filter(person=person, until__isnull=True).exists()
    assert Person.objects.get(pk=person.pk).current_house is None


def test_merge_keeps_both_histories(homes, users):
    dup, _ = services.save_person(
        {
            "name": "张三",
            "other_id_type": "other",
            "other_id": "TMP-1",
            "phone": "13700000000",
            "registration": "registered",
        },
        actor=users["admin"],
        house=homes["house_a"],
    )
    keep = services.merge_people(homes["person_a"], dup, actor=users["admin"])
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert (
        Residence.objects.filter(person=keep).count() == 2
    )  # both records lived in house_a: both histories are kept
    assert ChangeLog.objects.filter(action="merge").count() == 2
    with pytest.raises(ValidationError):
        services.merge_people(keep, keep, actor=users["admin"])


def test_two_different_id_numbers_are_not_merged(homes, users):
    other, _ = services.save_person(
        {"name": "王五", "id_number": ID_C, "registration": "registered"},
        actor=users["admin"],
        house=homes["house_a"],
    )
    with pytest.raises(ValidationError):
        services.merge_people(homes["person_a"], other, actor=users["admin"])


def test_change_log_masks_personal_fields(homes):
    entry = ChangeLog.objects.filter(
        object_type="registry.person", object_id=str(homes["person_a"].pk), action="create"
    ).get()
    assert entry.after["id_number"] == "***" and entry.after["phone"] == "***"


def test_revealing_needs_the_right_a_reason_and_is_logged(homes, users):
    person = homes["person_a"]
    with pytest.raises(ValidationError):
        services.reveal_person(person, actor=users["op_a"], reason=" ")
    full = services.reveal_person(person, actor=users["op_a"], reason="核实租户身份")
    assert full["id_number"] == ID_A
    log = AccessLog.objects.get()
    assert (log.actor, log.reason, log.subject_id) == (
        users["op_a"],
        "核实租户身份",
        str(person.pk),
    )
    with pytest.raises(PermissionDenied):
        services.reveal_person(person, actor=users["leader"], reason="看看")
    with pytest.raises(PermissionDenied):
        services.reveal_person(homes["person_b"], actor=users["op_a"], reason="看看")


def test_key_population_tags_need_their_right(homes, users):
    tag = services.tag_key_population(
        homes["person_a"], actor=users["op_a"], category="elderly_alone"
    )
    from gridgov.registry.queries import tags_for

    assert list(tags_for(users["op_a"])) == [tag]
    assert list(tags_for(users["member_a"])) == []  # grid members lack the right
    assert list(tags_for(users["op_b"])) == []  # another street
    with pytest.raises(PermissionDenied):
        services.tag_key_population(homes["person_a"], actor=users["member_a"], category="disabled")


def test_credit_code_dedupes_organizations(homes, users):
    again, created = services.save_organization(
        {"name": "乙街道商贸有限公司", "credit_code": "91110000600037341L", "kind": "enterprise"},
        actor=users["admin"],
    )
    assert not created and again.pk == homes["org_b"].pk and again.name == "乙街道商贸有限公司"
    with pytest.raises(ValidationError):
        services.save_organization(
            {"name": "x", "credit_code": "91110000600037341M", "lon": 113.605, "lat": 34.7175},
            actor=users["admin"],
        )


def test_building_table(homes, users):
    from gridgov.registry.queries import building_table

    table = building_table(users["op_a"], homes["building_a"])
    assert [u["unit"] for u in table] == [1, 2]
    top = table[0]["floors"][0]
    assert top["floor"] == 3 and [c.house.room for c in top["rooms"]] == ["301", "302"]
    assert top["rooms"][0].residents == 1
    assert building_table(users["op_b"], homes["building_a"]) == []
