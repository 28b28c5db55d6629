"""The data catalogue's rules, the national code tables, and applications with their decisions."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.areas.testing import STREET_A
from gridgov.audit.models import ChangeLog
from gridgov.exchange.models import ApplicationState, ClientKind
from gridgov.exchange.services import catalogue
from gridgov.exchange.services.catalogue_codes import ETHNICITY, national
from gridgov.exchange.services.clients import issue_client
from gridgov.registry.importing.rules import ETHNICITIES


def test_the_catalogue_keeps_its_rules():
    assert catalogue.check_catalogue() == []
    for d in catalogue.DATASETS.values():
        if d.personal:
            assert d.share != catalogue.UNCONDITIONAL, d.key
        if d.special:
            assert d.share == catalogue.CONDITIONAL
    assert catalogue.DATASETS["special_populations"].special
    shares = {d.share for d in catalogue.DATASETS.values()}
    assert shares == {catalogue.UNCONDITIONAL, catalogue.CONDITIONAL, catalogue.NOT_SHARED}


def test_a_personal_field_in_an_unconditional_set_is_caught(monkeypatch):
    import dataclasses

    cases = catalogue.DATASETS["cases"]
    bad = dataclasses.replace(
        cases, fields=(*cases.fields, catalogue.FieldSpec("reporter_name", "报告人", personal=True))
    )
    monkeypatch.setitem(catalogue.DATASETS, "cases", bad)
    assert any("cannot be unconditional" in p for p in catalogue.check_catalogue())
    special = dataclasses.replace(
        catalogue.DATASETS["special_populations"], share=catalogue.UNCONDITIONAL
    )
    monkeypatch.setitem(catalogue.DATASETS, "special_populations", special)
    assert any("only conditionally" in p for p in catalogue.check_catalogue())


def test_registry_values_map_to_the_national_tables():
    assert all(name in ETHNICITY for name in ETHNICITIES)
    assert national("GB/T 3304", "汉族") == ("01", "汉族")
    assert national("GB/T 3304", "回") == ("03", "回族")
    assert national("GB/T 3304", "基诺族") == ("56", "基诺族")
    assert national("GB/T 2261.1", "F") == ("2", "女性")
    assert national("GB/T 4658", "大学本科") == ("20", "大学本科教育")
    assert national("GB/T 2261.2", "已婚") == ("20", "已婚")
    assert national("GB/T 4762", "群众") == ("13", "群众")
    assert national("GB/T 2659", "日本") == ("JPN", "日本")
    assert national("GB/T 4754", "零售") == ("F", "批发和零售业")
    assert national("GB/T 4658", "某种学历") == ("", "某种学历")  # never guessed
    assert national("GB/T 2659", "") == ("", "")


@pytest.fixture
def recipient(users):
    client, key = issue_client(
        users["admin"],
        name="市大数据局",
        kind=ClientKind.EXCHANGE,
        area_codes=[STREET_A],
        owner_unit="市大数据管理局",
    )
    return client, key


def _apply(users, client, **over):
    values = {
        "dataset_key": "people",
        "fields": ["id", "name", "sex"],
        "purpose": "人口普查比对",
        "legal_basis": "《统计法》第七条",
        "expires_on": timezone.localdate() + datetime.timedelta(days=90),
    }
    values.update(over)
    return catalogue.apply_for(users["admin"], client, **values)


def test_an_application_is_decided_with_a_reason_and_logged(users, recipient):
    client, _key = recipient
    app = _apply(users, client)
    assert app.state == ApplicationState.PENDING and app.recipient == "市大数据管理局"
    with pytest.raises(ValidationError):
        catalogue.decide(users["admin"], app, approve=True, reason=" ")
    with pytest.raises(PermissionDenied):
        catalogue.decide(users["op_a"], app, approve=True, reason="ok")
    catalogue.decide(users["admin"], app, approve=True, reason="依法比对")
    app.refresh_from_db()
    assert app.state == ApplicationState.APPROVED and app.decided_by == users["admin"]
    assert catalogue.approval_for(client, "people") == app
    with pytest.raises(ValidationError):
        catalogue.decide(users["admin"], app, approve=False, reason="again")
    logged = ChangeLog.objects.filter(object_type="exchange.dataapplication", object_id=str(app.pk))
    assert logged.count() == 2
    fields, approval = catalogue.offered_fields(client, catalogue.DATASETS["people"])
    assert approval == app
    assert {f.name for f in fields} == {"id", "name", "sex", "area_code", "updated_at"}


def test_only_conditional_sets_are_applied_for_and_all_parts_named(users, recipient):
    client, _key = recipient
    with pytest.raises(ValidationError):
        _apply(users, client, dataset_key="cases")
    with pytest.raises(ValidationError):
        _apply(users, client, dataset_key="key_population_tags")
    with pytest.raises(ValidationError) as err:
        _apply(users, client, purpose="", legal_basis="", fields=["nope"])
    assert {"purpose", "legal_basis", "fields"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        _apply(users, client, expires_on=timezone.localdate())
    assert "expires_on" in err.value.message_dict


def test_special_populations_need_a_named_recipient(users, recipient):
    client, _key = recipient
    with pytest.raises(ValidationError) as err:
        _apply(users, client, dataset_key="special_populations", fields=["id", "category"])
    assert "recipient" in err.value.message_dict
    app = _apply(
        users,
        client,
        dataset_key="special_populations",
        fields=["id", "category"],
        recipient="市司法局社区矫正科",
    )
    assert app.recipient == "市司法局社区矫正科"


def test_refused_expired_and_not_shared_sets_give_no_data(users, recipient):
    client, _key = recipient
    people = catalogue.DATASETS["people"]
    with pytest.raises(PermissionDenied):
        catalogue.offered_fields(client, people)
    app = _apply(users, client)
    catalogue.decide(users["admin"], app, approve=False, reason="用途不明")
    with pytest.raises(PermissionDenied):
        catalogue.offered_fields(client, people)
    with pytest.raises(PermissionDenied):
        catalogue.offered_fields(client, catalogue.DATASETS["key_population_tags"])
    app2 = _apply(users, client, expires_on=timezone.localdate() + datetime.timedelta(days=2))
    catalogue.decide(users["admin"], app2, approve=True, reason="ok")
    assert catalogue.offered_fields(client, people)[1] == app2
    later = timezone.now() + datetime.timedelta(days=4)
    with time_machine.travel(later), pytest.raises(PermissionDenied):
        catalogue.offered_fields(client, people)
    fields, app = catalogue.offered_fields(client, catalogue.DATASETS["cases"])
    assert app is None and len(fields) == len(catalogue.DATASETS["cases"].fields)


def test_an_undecided_application_is_overdue_after_five_working_days(users, recipient):
    client, _key = recipient
    # Monday 2026-03-02 10:00 local: five working days later is Monday 2026-03-09.
    start = datetime.datetime(
        2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    with time_machine.travel(start, tick=False):
        app = _apply(users, client)
    local_due = timezone.localtime(app.due_at)
    assert local_due.date() >= datetime.date(2026, 3, 6)
    assert not catalogue.is_overdue(app, start + datetime.timedelta(days=3))
    assert catalogue.is_overdue(app, start + datetime.timedelta(days=8))
    catalogue.decide(users["admin"], app, approve=False, reason="late but decided")
    app.refresh_from_db()
    assert not catalogue.is_overdue(app, start + datetime.timedelta(days=8))
