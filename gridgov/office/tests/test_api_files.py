"""Attachments through the office API: multipart uploads on notices, documents and messages,
checked as on the desk pages, listed in the detail payloads with downloads that keep to scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.accounts.services import issue_token
from gridgov.audit.models import ChangeLog
from gridgov.cases.tests.conftest import jpeg
from gridgov.office.files import MAX_FILES, check_file
from gridgov.office.models import OfficeFile
from gridgov.office.services import documents, notices
from gridgov.office.services import messages as chat
from gridgov.office.tests.conftest import pdf_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user)}"
    return client


def _notice(office, who="op_a", area="street_a"):
    return notices.publish_notice(
        acting_user=office[who], kind="notice", title="防汛通知", body="", area=office[area]
    )


def test_a_notice_takes_files_and_lists_them_with_downloads(office):
    notice = _notice(office)
    client = api(office["op_a"])
    answer = client.post(
        f"/api/v1/office/notices/{notice.pk}/files",
        {
            "files": [
                SimpleUploadedFile("通知.pdf", pdf_bytes()),
                SimpleUploadedFile("现场.jpg", jpeg(gps=True)),
            ]
        },
    )
    assert answer.status_code == 201, answer.content
    added = answer.json()
    assert [f["name"] for f in added] == ["通知.pdf", "现场.jpg"]
    assert added[0]["content_type"] == "application/pdf" and not added[0]["is_image"]
    photo = added[1]
    assert photo["is_image"] and photo["download_thumbnail"]
    stored = OfficeFile.objects.get(pk=photo["id"])
    assert b"TestCam" not in stored.file.read()  # stored without camera data
    detail = api(office["member_a"]).get(f"/api/v1/office/notices/{notice.pk}").json()
    assert [f["id"] for f in detail["files"]] == [f["id"] for f in added]
    download = api(office["member_a"]).get(detail["files"][0]["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    thumb = api(office["member_a"]).get(photo["download_thumbnail"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    log = ChangeLog.objects.filter(object_type="office.notice", action="update").get()
    assert log.after["added"] == ["通知.pdf", "现场.jpg"]


def test_a_bad_file_is_refused_with_a_4xx_and_nothing_is_kept(office):
    notice = _notice(office)
    client = api(office["op_a"])
    url = f"/api/v1/office/notices/{notice.pk}/files"
    bad = client.post(url, {"files": [SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")]})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"code", "message", "details"}
    assert client.post(url, {}).status_code in (400, 422)  # no file at all
    too_many = [SimpleUploadedFile(f"{i}.pdf", pdf_bytes()) for i in range(MAX_FILES + 1)]
    assert client.post(url, {"files": too_many}).status_code == 400
    assert not OfficeFile.objects.exists()


def test_the_size_limit_holds(office, settings):
    settings.GRIDGOV_OFFICE_MAX_FILE_BYTES = 1000
    notice = _notice(office)
    big = pdf_bytes() + b"%" * 2000
    answer = api(office["op_a"]).post(
        f"/api/v1/office/notices/{notice.pk}/files", {"files": [SimpleUploadedFile("a.pdf", big)]}
    )
    assert answer.status_code == 400
    assert "a.pdf" in answer.json()["message"]  # "the file a.pdf is too large"


def test_the_limit_counts_files_already_attached(office):
    notice = notices.publish_notice(
        acting_user=office["op_a"],
        kind="notice",
        title="x",
        body="",
        area=office["street_a"],
        files=[check_file(pdf_bytes(), f"{i}.pdf") for i in range(MAX_FILES)],
    )
    answer = api(office["op_a"]).post(
        f"/api/v1/office/notices/{notice.pk}/files",
        {"files": [SimpleUploadedFile("more.pdf", pdf_bytes())]},
    )
    assert answer.status_code == 400
    assert notice.files.count() == MAX_FILES


def test_only_the_office_adds_files_and_outsiders_see_nothing(office):
    notice = _notice(office)
    url = f"/api/v1/office/notices/{notice.pk}/files"
    pdf = SimpleUploadedFile("a.pdf", pdf_bytes())
    # a reader of the notice, but not its office
    assert api(office["member_a"]).post(url, {"files": [pdf]}).status_code == 403
    pdf.seek(0)
    # street B does not even see it
    assert api(office["op_b"]).post(url, {"files": [pdf]}).status_code == 404
    item = notices.attach_notice_files(
        notice, [check_file(pdf_bytes(), "a.pdf")], acting_user=office["op_a"]
    )[0]
    assert api(office["op_b"]).get(f"/api/v1/office/files/{item.pk}").status_code == 404
    assert api(office["admin"]).get(f"/api/v1/office/files/{item.pk}").status_code == 200
    assert api(office["op_a"]).get(f"/api/v1/office/files/{item.pk}/thumbnail").status_code == 404


def test_a_document_takes_files_until_it_is_closed(office):
    doc = documents.receive_document(
        acting_user=office["op_a"],
        area=office["street_a"],
        number="金政〔2026〕7号",
        title="关于汛期值班的通知",
        issuing_unit="金水区人民政府",
        main=[office["street_a"]],
    )
    client = api(office["op_a"])
    url = f"/api/v1/office/documents/{doc.pk}/files"
    answer = client.post(url, {"files": [SimpleUploadedFile("正文.pdf", pdf_bytes())]})
    assert answer.status_code == 201, answer.content
    detail = client.get(f"/api/v1/office/documents/{doc.pk}").json()
    assert [f["name"] for f in detail["files"]] == ["正文.pdf"]
    assert api(office["op_b"]).post(url, {"files": []}).status_code in (404, 422)
    type(doc).objects.filter(pk=doc.pk).update(status="closed")
    closed = client.post(url, {"files": [SimpleUploadedFile("b.pdf", pdf_bytes())]})
    assert closed.status_code == 400


def test_a_message_with_files(office):
    conv = chat.start_conversation(
        acting_user=office["op_a"], others=[office["member_a"]], title="值班群"
    )
    client = api(office["op_a"])
    url = f"/api/v1/office/conversations/{conv.pk}/messages/upload"
    answer = client.post(
        url, {"body": "现场照片", "files": [SimpleUploadedFile("现场.jpg", jpeg())]}
    )
    assert answer.status_code == 201, answer.content
    sent = answer.json()
    assert sent["body"] == "现场照片" and sent["files"][0]["is_image"]
    listing = api(office["member_a"]).get(f"/api/v1/office/conversations/{conv.pk}/messages")
    (message,) = listing.json()["messages"]
    assert api(office["member_a"]).get(message["files"][0]["download"]).status_code == 200
    assert api(office["op_b"]).get(message["files"][0]["download"]).status_code == 404
    bad = client.post(url, {"body": "x", "files": [SimpleUploadedFile("a.exe", b"MZ..")]})
    assert bad.status_code == 400
    assert api(office["op_b"]).post(url, {"body": "x"}).status_code in (404, 422)
