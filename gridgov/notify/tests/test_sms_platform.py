"""The SMS platform's pages and operations: compose and send to users, groups, smart groups,
areas, roles and typed numbers; templates with variables and approval; folders; statistics."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.models import ForceType
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.notify import sms_services
from gridgov.notify.models import (
    BatchState,
    GroupKind,
    OptOut,
    Outbox,
    OutboxStatus,
    Priority,
    SmsBatch,
    TemplateState,
)
from gridgov.notify.outbox import enqueue_message

pytestmark = pytest.mark.django_db


def with_phone(user, phone):
    user.phone = phone
    user.save()
    return user


@pytest.fixture
def people(users, tree):
    """Phones for street A's grid member and operator; a grid member in street B."""
    from gridgov.accounts.permissions import Role
    from gridgov.conftest import make_user

    with_phone(users["member_a"], "13800000001")
    with_phone(users["op_a"], "13800000002")
    grid_b = tree.grids[-1]
    member_b = with_phone(make_user("member_b", Role.GRID_MEMBER, [grid_b.code]), "13800000009")
    assign_staff(member_b, grid_b, ForceType.GRID_MEMBER, actor=system_user(SETUP))
    return {**users, "member_b": member_b}


def test_a_template_is_approved_by_the_level_above_and_fills_its_variables(people):
    op_a, district = people["op_a"], people["district"]
    template = sms_services.save_template(
        op_a, name="会议通知", signature="经八路街道", body="{name}同志：请于{time}到街道开会。"
    )
    assert template.state == TemplateState.PENDING
    with pytest.raises(PermissionDenied):
        sms_services.decide_template(op_a, template, approve=True)  # not the level above
    with pytest.raises(PermissionDenied):
        sms_services.decide_template(people["op_b"], template, approve=True)
    sms_services.decide_template(district, template, approve=True)
    assert sms_services.render(template, "", {"name": "张三", "time": "9时"}) == (
        "【经八路街道】张三同志：请于9时到街道开会。"
    )
    with pytest.raises(ValidationError):
        sms_services.render(template, "", {"name": "张三"})


def test_only_an_approved_template_sends(people):
    op_a = people["op_a"]
    template = sms_services.save_template(op_a, name="t", signature="经八路街道", body="你好{name}")
    batch = sms_services.save_batch(
        op_a,
        body="",
        template=template,
        variables={"name": "张三"},
        recipients={"numbers": ["13900000001"]},
    )
    with pytest.raises(ValidationError):
        sms_services.send_batch(op_a, batch)
    sms_services.decide_template(people["district"], template, approve=True)
    batch.template.refresh_from_db()
    sms_services.send_batch(op_a, batch)
    row = Outbox.objects.get()
    assert row.body == "【经八路街道】你好张三" and row.template_id == template.pk
    assert row.payload == {
        "template_code": "",
        "signature": "经八路街道",
        "variables": {"name": "张三"},
    }


def test_a_smart_group_is_evaluated_at_send_time_within_the_sender_s_scope(people, tree):
    op_a = people["op_a"]
    group = sms_services.save_group(
        op_a,
        name="街道全体网格员",
        kind=GroupKind.SMART,
        query={"area": tree.streets[0].code, "force_type": ForceType.GRID_MEMBER},
    )
    batch = sms_services.save_batch(
        op_a, body="今晚有暴雨", template=None, variables={}, recipients={"groups": [group.pk]}
    )
    # a grid member who joins the street after the group was made is reached too
    from gridgov.accounts.permissions import Role
    from gridgov.conftest import make_user

    grid = tree.grids[1]
    late = with_phone(make_user("late", Role.GRID_MEMBER, [grid.code]), "13800000003")
    assign_staff(late, grid, ForceType.GRID_MEMBER, actor=system_user(SETUP))
    sms_services.send_batch(op_a, batch)
    sent = set(Outbox.objects.values_list("destination", flat=True))
    assert sent == {"13800000001", "13800000003"}  # never street B's member
    with pytest.raises(ValidationError):
        sms_services.save_group(
            op_a, name="乙", kind=GroupKind.SMART, query={"area": tree.streets[1].code}
        )


def test_compose_to_users_groups_areas_roles_and_numbers_once_each(people, tree):
    op_a = people["op_a"]
    group = sms_services.save_group(
        op_a, name="联络员", kind=GroupKind.CONTACTS, contacts=[("王五", "13900000005")]
    )
    OptOut.objects.create(phone="13900000006")
    batch = sms_services.save_batch(
        op_a,
        body="周五大扫除",
        template=None,
        variables={},
        recipients={
            "users": [people["member_a"].pk, people["member_b"].pk],  # B is outside the scope
            "groups": [group.pk],
            "areas": [tree.streets[0].code],
            "roles": ["street_operator"],
            "numbers": ["13900000005", "13900000006"],
        },
    )
    sms_services.send_batch(op_a, batch)
    rows = dict(Outbox.objects.values_list("destination", "status"))
    assert rows == {
        "13800000001": OutboxStatus.PENDING,
        "13800000002": OutboxStatus.PENDING,
        "13900000005": OutboxStatus.PENDING,
        "13900000006": OutboxStatus.FAILED,  # opted out
    }
    assert set(Outbox.objects.values_list("priority", "area_code")) == {
        (Priority.BULK, tree.streets[0].code)
    }
    batch.refresh_from_db()
    assert (batch.state, batch.recipient_count, batch.parts) == (BatchState.SENT, 4, 4)
    with pytest.raises(ValidationError):
        sms_services.send_batch(op_a, batch)  # sent once


def test_folders_archive_delete_and_restore(people, client_for):
    op_a = people["op_a"]
    client = client_for(op_a)
    answer = client.post(
        "/notify/sms/compose/",
        {"body": "草稿内容", "numbers": "13900000001", "save": "1"},
    )
    assert answer.status_code == 302
    batch = SmsBatch.objects.get()
    assert "草稿内容" in client.get("/notify/sms/?folder=drafts").content.decode()
    answer = client.post(
        f"/notify/sms/compose/{batch.pk}/",
        {"body": "正式内容", "numbers": "13900000001", "send": "1"},
    )
    assert answer.status_code == 302 and Outbox.objects.get().body == "正式内容"
    for action, folder in (("archive", "archived"), ("delete", "deleted"), ("restore", "archived")):
        client.post(f"/notify/sms/{batch.pk}/{action}/")
        assert "正式内容" in client.get(f"/notify/sms/?folder={folder}").content.decode()
    assert client.post(f"/notify/sms/{batch.pk}/explode/").status_code == 302
    assert client.get("/notify/sms/compose/?x=1").status_code == 200


def test_the_cost_preview_counts_parts_and_recipients(people, client_for):
    client = client_for(people["op_a"])
    answer = client.get("/notify/sms/preview/", {"text": "井" * 71, "recipients": "3"})
    assert json.loads(answer.content) == {
        "encoding": "ucs2",
        "units": 71,
        "per_part": 67,
        "parts": 2,
        "recipients": 3,
        "total_parts": 6,
    }


def test_statistics_and_log_show_every_sms_of_the_unit(people, client_for, tree):
    op_a = people["op_a"]
    enqueue_message("sms", "13900000001", "案件提醒", area_code=tree.streets[0].code)
    enqueue_message("sms", "13900000002", "乙街道的短信", area_code=tree.streets[1].code)
    client = client_for(op_a)
    page = client.get("/notify/sms/stats/").content.decode()
    assert "共 1 条短信，计费 1 条" in page
    log = client.get("/notify/sms/log/").content.decode()
    assert "案件提醒" in log and "乙街道的短信" not in log and "13900000001" not in log
    row = Outbox.objects.get(body="案件提醒")
    assert client.get(f"/notify/sms/log/{row.pk}/").status_code == 200
    assert client.get("/notify/sms/").content.decode().count("未接短信网关") == 1


def test_residents_phones_from_the_registry_are_for_issued_warnings_only_and_logged(people, tree):
    from gridgov.audit.models import AccessLog
    from gridgov.registry.models import Person

    person = Person.objects.create(area_code=tree.grids[0].code, name="李四", phone="13700000001")
    with pytest.raises(PermissionDenied):
        sms_services.warn_resident(
            people["op_a"], person, text="x", warning_source="cases.case:1", dedupe_key="k"
        )
    assert not Outbox.objects.exists() and not AccessLog.objects.exists()
    assert (
        sms_services.warn_resident(
            people["op_b"], person, text="x", warning_source="warnings.warning:1", dedupe_key="k"
        )
        is None
    )  # another street's resident
    row = sms_services.warn_resident(
        people["op_a"],
        person,
        text="暴雨红色预警",
        warning_source="warnings.warning:1",
        dedupe_key="k",
    )
    assert (row.destination, row.priority) == ("13700000001", Priority.WARNING)
    [access] = AccessLog.objects.all()
    assert (access.subject_id, access.fields, access.purpose) == (str(person.pk), ["phone"], "sms")
