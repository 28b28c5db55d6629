import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.cases import queries, services
from gridgov.cases.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseEvent,
    CaseRequest,
    RequestStatus,
    Status,
)
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import POINT_A, POINT_B, jpeg
from gridgov.notify.models import Message, Outbox


def report(loop, **kw):
    defaults = {
        "actor": loop["member_a"],
        "channel": "grid_member",
        "description": "井盖松动，有人踩空",
        "category": "C0101",
        "lon": POINT_A[0],
        "lat": POINT_A[1],
    }
    defaults.update(kw)
    case, _created = services.report_case(**defaults)
    return case


def step(case, action, actor, **kw):
    return services.perform(case, action, actor=actor, **kw)


def test_the_whole_loop_writes_one_event_per_step(loop):
    case = report(loop)
    assert (case.status, case.area_code, case.level_code, case.stage) == (
        "reported",
        "41010500100101",
        "410105001001",
        "accept",
    )
    assert case.stage_deadline is not None
    case = step(case, "accept", loop["community"])
    case = step(case, "file", loop["community"])
    case = step(case, "dispatch", loop["community"], department=loop["squad"])
    assert case.department == loop["squad"]
    assert Message.objects.filter(user=loop["handler"]).exists()
    assert Outbox.objects.filter(user=loop["handler"]).exists()
    case = step(case, "start", loop["handler"])
    case = step(
        case,
        "feedback",
        loop["handler"],
        note="已更换井盖",
        photos=[(check_photo(jpeg()), AttachmentKind.AFTER)],
    )
    case = step(case, "verify_pass", loop["member_a"])
    case = step(case, "close", loop["op_a"])
    assert case.status == Status.CLOSED and case.closed_at
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "file",
        "dispatch",
        "start",
        "feedback",
        "verify_pass",
        "close",
    ]
    accept = case.events.get(action="accept")
    assert (
        accept.stage == "accept"
        and accept.on_time is True
        and accept.actor_role == "community_staff"
    )
    assert case.attachments.get().kind == "after"


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        ("file", "community"),
        ("dispatch", "community"),
        ("start", "handler"),
        ("close", "op_a"),
        ("verify_pass", "member_a"),
    ],
)
def test_a_step_the_status_does_not_allow_is_refused_and_changes_nothing(loop, action, actor):
    case = report(loop)
    with pytest.raises(ValidationError, match=r"不能|not possible"):
        step(case, action, loop[actor], department=loop["squad"])
    case.refresh_from_db()
    assert case.status == "reported" and case.events.count() == 1


def test_only_the_right_people_may_act(loop):
    case = report(loop)
    with pytest.raises(PermissionDenied):
        step(case, "accept", loop["member_a"])  # a grid member is not the command center
    with pytest.raises(PermissionDenied):
        step(case, "accept", loop["op_b"])  # another street
    case = step(case, "accept", loop["op_a"])
    case = step(case, "file", loop["op_a"])
    case = step(case, "dispatch", loop["op_a"], department=loop["squad"])
    with pytest.raises(PermissionDenied):
        step(case, "start", loop["plumber"])  # another department
    with pytest.raises(PermissionDenied):
        step(case, "start", loop["op_a"])


def test_notes_are_required_where_the_step_needs_one(loop):
    case = report(loop)
    with pytest.raises(ValidationError):
        step(case, "reject", loop["op_a"], note="  ")
    step(case, "reject", loop["op_a"], note="重复上报")
    assert Case.objects.get(pk=case.pk).status == "rejected"


def test_dispatch_follows_routing_and_refuses_departments_of_other_places(loop):
    case = report(
        loop, category="C0101"
    )  # water-supply manhole cover → the water company (line 供水)
    case = step(step(case, "accept", loop["op_a"]), "file", loop["op_a"])
    from gridgov.cases.routing import route

    assert route(case) == loop["water"]
    with pytest.raises(ValidationError):
        step(case, "dispatch", loop["op_a"], department=loop["other"])  # street B's squad
    case = step(case, "dispatch", loop["op_a"])  # no department given: the routing rule decides
    assert case.department == loop["water"]


def test_a_wrong_dispatch_is_returned_with_a_reason(loop):
    case = report(loop)
    case = step(
        step(step(case, "accept", loop["op_a"]), "file", loop["op_a"]),
        "dispatch",
        loop["op_a"],
        department=loop["squad"],
    )
    case = step(case, "return", loop["handler"], note="不属于本部门职责")
    assert case.status == "filed"
    assert case.events.last().note == "不属于本部门职责"


def test_failed_verification_sends_it_back_for_rework(loop):
    case = report(loop)
    for action, actor, kw in [
        ("accept", "op_a", {}),
        ("file", "op_a", {}),
        ("dispatch", "op_a", {"department": loop["squad"]}),
        ("start", "handler", {}),
        ("feedback", "handler", {"note": "已处理"}),
    ]:
        case = step(case, action, loop[actor], **kw)
    case = step(case, "verify_fail", loop["member_a"], note="井盖仍然松动")
    assert case.status == "handling" and case.stage == "handle"
    assert (
        Message.objects.filter(user=loop["handler"], title__contains="返工").exists()
        or Message.objects.filter(user=loop["handler"]).count() >= 2
    )


def test_self_handling_needs_photos_before_and_after(loop):
    case = report(loop, category="E0102", description="路边暴露垃圾")
    with pytest.raises(ValidationError):
        step(case, "self_handle", loop["member_a"], note="已清理")
    case = step(
        case,
        "self_handle",
        loop["member_a"],
        note="已清理",
        photos=[
            (check_photo(jpeg()), AttachmentKind.BEFORE),
            (check_photo(jpeg((0, 200, 0))), AttachmentKind.AFTER),
        ],
    )
    assert case.status == "closed" and case.self_handled
    with pytest.raises(PermissionDenied):
        step(
            report(
                loop,
                idempotency_key="other-report-1",
                actor=loop["op_a"],
                channel="hotline",
                address="x",
            ),
            "self_handle",
            loop["member_a"],
            note="x",
        )


def test_escalation_climbs_the_tree_and_the_parent_dispatches_its_own_departments(loop):
    case = report(loop)
    case = step(case, "escalate", loop["community"], note="社区无法解决")
    assert case.level_code == "410105001" and case.escalations == 1
    with pytest.raises(PermissionDenied):
        step(case, "accept", loop["community"])  # no longer held by the community
    case = step(case, "escalate", loop["op_a"], note="街道无法解决，提级处置：需要区级部门")
    assert case.level_code == "410105"
    case = step(step(case, "accept", loop["district"]), "file", loop["district"])
    case = step(case, "dispatch", loop["district"], department=loop["water"])
    assert case.department == loop["water"]


def test_extension_requests_are_granted_or_refused(loop):
    case = report(loop)
    case = step(
        step(step(case, "accept", loop["op_a"]), "file", loop["op_a"]),
        "dispatch",
        loop["op_a"],
        department=loop["squad"],
    )
    deadline = case.stage_deadline
    case = step(case, "request_extension", loop["handler"], hours=8, note="需要订购配件")
    with pytest.raises(ValidationError):
        step(case, "request_extension", loop["handler"], hours=8, note="again")
    request = CaseRequest.objects.get(case=case)
    case = step(case, "decide", loop["op_a"], request=request, grant=True, note="同意")
    assert case.stage_deadline > deadline
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED


def test_suspension_and_cancellation_need_approval(loop):
    case = report(loop)
    case = step(
        step(step(case, "accept", loop["op_a"]), "file", loop["op_a"]),
        "dispatch",
        loop["op_a"],
        department=loop["squad"],
    )
    case = step(case, "request_suspension", loop["handler"], note="需纳入明年改造计划")
    assert case.status == "dispatched"
    case = step(case, "decide", loop["op_a"], request=case.requests.get(), grant=True)
    assert case.status == "suspended" and case.stage == ""
    case = step(case, "resume", loop["op_a"])
    assert case.status == "dispatched" and case.stage == "handle"
    case = step(case, "request_cancellation", loop["op_a"], note="误报")
    case = step(
        case,
        "decide",
        loop["op_a"],
        request=case.requests.filter(status="pending").get(),
        grant=False,
    )
    assert case.status == "dispatched"


def test_supervision_and_reminders_reach_the_assignee(loop):
    case = report(loop)
    case = step(
        step(step(case, "accept", loop["community"]), "file", loop["community"]),
        "dispatch",
        loop["community"],
        department=loop["squad"],
    )
    with pytest.raises(PermissionDenied):
        step(
            case, "supervise", loop["community"], hours=4, note="x"
        )  # the holder cannot supervise itself
    case = step(case, "supervise", loop["op_a"], hours=4, note="请加快处理")
    assert case.supervised and case.supervisions.count() == 1
    step(case, "remind", loop["leader"], note="催办")
    assert Message.objects.filter(user=loop["handler"], title__contains="催办").exists()


def test_duplicates_are_found_and_merged(loop):
    first = report(loop)
    second = report(loop, idempotency_key="second-report-key", lon=POINT_A[0] + 0.0003)
    far = report(loop, idempotency_key="far-report-key", lon=POINT_A[0] + 0.004)
    assert list(queries.duplicates_for(loop["op_a"], second)) == [first]
    assert far not in queries.duplicates_for(loop["op_a"], first)
    merged = step(second, "merge", loop["op_a"], target=first)
    assert merged.status == "merged" and merged.duplicate_of == first
    assert first.events.filter(action="merged_in").exists()


def test_idempotency_key_makes_one_case(loop):
    a, created_a = services.report_case(
        actor=loop["member_a"],
        channel="grid_member",
        description="x",
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="phone-retry-0001",
    )
    b, created_b = services.report_case(
        actor=loop["member_a"],
        channel="grid_member",
        description="x",
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="phone-retry-0001",
    )
    assert created_a and not created_b and a.pk == b.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_an_address_without_a_point_is_kept_for_locating(loop):
    case, _ = services.report_case(
        actor=loop["op_a"],
        channel="hotline",
        description="楼道堆物",
        address="经八路 12 号院",
        reporter_name="张三",
        reporter_phone="13800000000",
    )
    assert case.needs_locating and case.area_code == "410105001"
    case = step(case, "locate", loop["op_a"], lon=POINT_A[0], lat=POINT_A[1])
    assert not case.needs_locating and case.area_code == "41010500100101"
    with pytest.raises(ValidationError):
        services.report_case(actor=loop["op_a"], channel="hotline", description="x")
    with pytest.raises(ValidationError):
        services.report_case(
            actor=loop["op_a"], channel="hotline", description="x", lon=120.0, lat=30.0
        )


def test_a_report_in_another_street_is_seen_by_its_reporter_but_not_held_by_them(loop):
    case = report(loop, lon=POINT_B[0], lat=POINT_B[1])
    assert case.area_code.startswith("410105002")
    from gridgov.cases.queries import cases_for

    assert cases_for(loop["member_a"]).filter(pk=case.pk).exists()
    assert not cases_for(loop["op_a"]).filter(pk=case.pk).exists()
    assert cases_for(loop["op_b"]).filter(pk=case.pk).exists()


def test_public_photo_copies_have_no_location_metadata(loop):
    photo = check_photo(jpeg(gps=True))
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(photo.original.read())).getexif().get(0x8825)
    assert not Image.open(io.BytesIO(photo.public.read())).getexif()
    case = report(loop, photos=[photo])
    assert Attachment.objects.get(case=case).width == 64


@pytest.mark.parametrize(
    "data", [b"not an image at all", b"\xff\xd8\xff\xe0 broken jpeg", b"GIF89a" + b"\x00" * 20]
)
def test_files_that_are_not_photos_are_refused(data):
    with pytest.raises(ValidationError):
        check_photo(data, "x.jpg")


def test_oversized_photos_are_refused(settings):
    settings.GRIDGOV_MAX_PHOTO_BYTES = 100
    with pytest.raises(ValidationError, match="MB"):
        check_photo(jpeg(), "big.jpg")


def test_a_closed_case_is_rated_by_its_reporter_or_its_command_center(loop):
    case = report(loop, category="E0102", description="路边暴露垃圾")
    with pytest.raises(ValidationError):
        services.rate_case(case, 5, actor=loop["member_a"])  # not closed yet
    case = step(
        case,
        "self_handle",
        loop["member_a"],
        note="已清理",
        photos=[
            (check_photo(jpeg()), AttachmentKind.BEFORE),
            (check_photo(jpeg((0, 200, 0))), AttachmentKind.AFTER),
        ],
    )
    for bad in (0, 6, True, "5"):
        with pytest.raises(ValidationError):
            services.rate_case(case, bad, actor=loop["member_a"])
    with pytest.raises(PermissionDenied):
        services.rate_case(case, 4, actor=loop["handler"])
    services.rate_case(case, 4, actor=loop["member_a"], note="很快")
    case = services.rate_case(case, 5, actor=loop["op_a"], note="回访：满意")
    assert case.satisfaction == 5
    assert list(case.events.filter(action="rate").values_list("data", flat=True)) == [
        {"score": 4},
        {"score": 5},
    ]
