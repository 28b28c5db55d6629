import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.notify.models import Message
from gridgov.office import queries
from gridgov.office.models import Notice, NoticeReceipt
from gridgov.office.services import notices


def publish(office, who="op_a", area="street_a", **kw):
    return notices.publish_notice(
        acting_user=office[who],
        kind=kw.pop("kind", "notice"),
        title=kw.pop("title", "防汛值班通知"),
        body=kw.pop("body", "请各网格做好值班安排。"),
        area=office[area],
        **kw,
    )


def test_a_notice_reaches_the_subtree_only(office):
    notice = publish(office, requires_ack=True)
    got = set(NoticeReceipt.objects.filter(notice=notice).values_list("user__username", flat=True))
    assert got == {"member_a", "community_a"}  # street A's staff below the street office
    assert notice.recipient_count == 2
    # In-app notice for those who must sign.
    assert Message.objects.filter(user=office["member_a"]).count() == 1
    # Street B's staff do not see it; street A's grid member does; the district does.
    assert not queries.notices_for(office["member_b"]).exists()
    assert not queries.notices_for(office["op_b"]).exists()
    assert list(queries.notices_for(office["member_a"])) == [notice]
    assert list(queries.notices_for(office["district"])) == [notice]


def test_a_district_notice_to_one_role(office):
    notice = publish(office, who="district", area="district_area", roles=["grid_member"])
    got = set(NoticeReceipt.objects.filter(notice=notice).values_list("user__username", flat=True))
    assert got == {"member_a", "member_b"}
    # Each street's operator is not a recipient, and does not see the district's notice.
    assert not queries.notices_for(office["op_a"]).exists()


def test_publishing_needs_the_office_of_that_level(office):
    with pytest.raises(PermissionDenied):
        publish(office, who="op_a", area="street_b")
    with pytest.raises(PermissionDenied):
        publish(office, who="member_a")
    with pytest.raises(ValidationError):
        publish(office, title="")
    with pytest.raises(ValidationError):
        publish(office, roles=["emperor"])
    assert not Notice.objects.exists()


def test_signing_and_who_has_not(office, client_for):
    notice = publish(office, requires_ack=True)
    member = office["member_a"]
    with pytest.raises(PermissionDenied):
        notices.acknowledge_notice(notice, acting_user=office["member_b"])
    receipt = notices.acknowledge_notice(notice, acting_user=member)
    assert receipt.acked_at and receipt.read_at
    # Signing twice keeps the first time.
    first = receipt.acked_at
    assert notices.acknowledge_notice(notice, acting_user=member).acked_at == first
    page = client_for(office["op_a"]).get(f"/office/notices/{notice.pk}/")
    signed = [r.user.username for r in page.context["signed"]]
    unsigned = [r.user.username for r in page.context["unsigned"]]
    assert signed == ["member_a"] and unsigned == ["community_a"]


def test_the_remind_button_and_the_periodic_reminder(office, client_for):
    notice = publish(office, requires_ack=True)
    notices.acknowledge_notice(notice, acting_user=office["member_a"])
    Message.objects.all().delete()
    client = client_for(office["op_a"])
    response = client.post(f"/office/notices/{notice.pk}/remind/", {"sms": "1"})
    assert response.status_code == 302
    assert list(Message.objects.values_list("user__username", flat=True)) == ["community_a"]
    # The grid member may not remind.
    with pytest.raises(PermissionDenied):
        notices.remind_unsigned(notice, acting_user=office["member_a"])
    # The job: not before the setting's hours, then once a day, by SMS too.
    Message.objects.all().delete()
    assert notices.remind_due_notices()["notices"] == 0
    later = timezone.now() + datetime.timedelta(hours=25)
    Notice.objects.filter(pk=notice.pk).update(reminded_at=None)
    assert notices.remind_due_notices(later) == {"notices": 1, "people": 1}
    assert notices.remind_due_notices(later) == {"notices": 0, "people": 0}
    assert Message.objects.get().user == office["community_a"]


def test_reading_marks_the_receipt(office, client_for):
    notice = publish(office)
    client = client_for(office["member_a"])
    assert client.get(f"/office/notices/{notice.pk}/").status_code == 200
    assert NoticeReceipt.objects.get(notice=notice, user=office["member_a"]).read_at
    # A notice without signature: the sign button refuses.
    response = client.post(f"/office/notices/{notice.pk}/ack/")
    assert response.status_code == 302
    assert not NoticeReceipt.objects.filter(acked_at__isnull=False).exists()


def test_phone_page_and_list(office, client_for):
    publish(office, requires_ack=True, title="手机上的通知")
    client = client_for(office["member_a"])
    page = client.get("/office/m/")
    assert page.status_code == 200 and page.context["unsigned"] == 1
    assert [n.title for n in page.context["notices"]] == ["手机上的通知"]
    listing = client.get("/office/")
    assert [n.title for n in listing.context["page"]] == ["手机上的通知"]


def test_publishing_from_the_page_with_a_picture(office, client_for, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.tests.conftest import jpeg

    settings.MEDIA_ROOT = tmp_path
    client = client_for(office["op_a"])
    response = client.post(
        "/office/notices/new/",
        {
            "kind": "dynamic",
            "title": "街道开展环境整治",
            "body": "图片见附件",
            "area": "410105001",
            "files": [SimpleUploadedFile("a.jpg", jpeg(gps=True))],
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    image = notice.files.get()
    assert image.content_type == "image/jpeg"
    assert b"TestCam" not in image.file.read()  # stored without camera data
    bad = client.post(
        "/office/notices/new/",
        {
            "kind": "notice",
            "title": "x",
            "area": "410105001",
            "files": [SimpleUploadedFile("a.exe", b"MZ..")],
        },
    )
    assert bad.status_code == 400 and Notice.objects.count() == 1


def test_the_hourly_job_is_registered(office):
    from gridgov.jobs.registry import function_for

    publish(office, requires_ack=True)
    assert function_for("office.remind")(None) == {"notices": 0, "people": 0, "documents": 0}
