import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.system import JOBS, system_user
from gridgov.office import queries
from gridgov.office.files import check_file
from gridgov.office.filters import DocumentFilter
from gridgov.office.models import DocStatus, Document, DocumentEvent
from gridgov.office.services import documents
from gridgov.office.tests.conftest import pdf_bytes


def receive(office, **kw):
    """The district's office receives a city document addressed to street A (copy: street B)."""
    return documents.receive_document(
        acting_user=office["district"],
        area=office["district_area"],
        number=kw.pop("number", "郑政办〔2026〕12号"),
        title=kw.pop("title", "关于做好冬季安全生产工作的通知"),
        issuing_unit=kw.pop("issuing_unit", "郑州市人民政府办公厅"),
        main=kw.pop("main", [office["street_a"]]),
        copies=kw.pop("copies", []),
        **kw,
    )


def listed(office, **query):
    """The district's document list under a query (the filter of the page and the API)."""
    return DocumentFilter(query, office["district"]).rows()


def step(doc, action, who, office, **kw):
    return documents.perform(doc, action, acting_user=office[who], **kw)


@pytest.mark.parametrize("level", ["secret", "confidential", "top_secret"])
def test_classified_documents_are_refused(office, level):
    with pytest.raises(ValidationError) as exc:
        receive(office, secrecy=level)
    assert "secrecy" in exc.value.message_dict
    assert not Document.objects.exists()


def test_a_classification_mark_in_the_title_is_refused(office):
    with pytest.raises(ValidationError):
        receive(office, title="机密★1年 关于某事项的通知")
    assert not Document.objects.exists()


def test_the_page_refuses_and_says_so(office, client_for):
    client = client_for(office["district"])
    form = client.get("/office/documents/new/")
    assert "本平台不存储涉密公文" in form.content.decode()  # said before anything is typed
    response = client.post(
        "/office/documents/new/",
        {
            "number": "x〔2026〕1号",
            "title": "t",
            "issuing_unit": "u",
            "urgency": "normal",
            "secrecy": "top_secret",
            "area": "410105",
            "main": ["area:410105001"],
        },
    )
    assert response.status_code == 400
    shown = [str(m) for m in response.context["messages"]]
    assert any("本平台不存储涉密公文" in m for m in shown)
    assert not Document.objects.exists()


def test_every_transition_in_order(office):
    """received → signed → registered → assigned → replied → assigned → replied → closed."""
    doc = receive(office, copies=[office["street_b"]])
    assert doc.status == DocStatus.RECEIVED
    # Street B (a copy) signs: still waiting for the main recipient.
    doc = step(doc, "sign", "op_b", office)
    assert doc.status == DocStatus.RECEIVED
    doc = step(doc, "sign", "op_a", office)
    assert doc.status == DocStatus.SIGNED
    assert all(r.signed_at for r in doc.recipients.all())
    doc = step(doc, "register", "district", office)
    assert doc.status == DocStatus.REGISTERED and doc.register_number
    doc = step(doc, "assign", "district", office, lead_area=office["street_a"], days=3)
    assert doc.status == DocStatus.ASSIGNED and doc.deadline > timezone.now()
    doc = step(doc, "circulate", "district", office, readers=[office["leader"], office["op_a"]])
    assert doc.readers.count() == 2
    doc = step(doc, "read", "leader", office)
    assert doc.readers.get(user=office["leader"]).read_at
    doc = step(doc, "remind", "district", office, note="请抓紧办理")
    assert doc.status == DocStatus.ASSIGNED
    doc = step(doc, "reply", "op_a", office, note="已部署落实")
    assert doc.status == DocStatus.REPLIED and doc.reply == "已部署落实"
    doc = step(doc, "return", "district", office, note="请补充具体措施")
    assert doc.status == DocStatus.ASSIGNED
    doc = step(doc, "reply", "op_a", office, note="补充：已排查32处")
    doc = step(doc, "close", "district", office)
    assert doc.status == DocStatus.CLOSED and doc.closed_at
    actions = list(doc.events.values_list("action", flat=True))
    assert actions == [
        "receive", "sign", "sign", "register", "assign", "circulate", "read",
        "remind", "reply", "return", "reply", "close",
    ]  # fmt: skip


def test_a_registered_document_for_information_closes_without_a_lead(office):
    doc = receive(office)
    doc = step(doc, "sign", "op_a", office)
    doc = step(doc, "register", "district", office)
    doc = step(doc, "close", "district", office)
    assert doc.status == DocStatus.CLOSED


@pytest.mark.parametrize(
    "action, who",
    [
        ("register", "district"),  # not signed yet
        ("assign", "district"),
        ("reply", "op_a"),
        ("close", "district"),
        ("remind", "district"),
        ("circulate", "district"),
    ],
)
def test_steps_out_of_order_change_nothing(office, action, who):
    doc = receive(office)
    with pytest.raises(ValidationError):
        step(doc, action, who, office, lead_area=office["street_a"], days=3, note="x",
             readers=[office["leader"]])  # fmt: skip
    doc.refresh_from_db()
    assert doc.status == DocStatus.RECEIVED and doc.events.count() == 1


def test_the_wrong_people_may_not_take_steps(office):
    doc = receive(office)
    with pytest.raises(PermissionDenied):
        step(doc, "sign", "op_b", office)  # street B is not a recipient
    with pytest.raises(PermissionDenied):
        step(doc, "sign", "district", office)  # the level above does not sign for the street
    with pytest.raises(PermissionDenied):
        step(doc, "sign", "community_a", office)  # nor a community below it
    doc = step(doc, "sign", "op_a", office)
    with pytest.raises(PermissionDenied):
        step(doc, "register", "op_a", office)  # only the holding office registers
    doc = step(doc, "register", "district", office)
    doc = step(doc, "assign", "district", office, lead_area=office["street_a"], days=2)
    with pytest.raises(PermissionDenied):
        step(doc, "reply", "op_b", office, note="x")
    with pytest.raises(ValidationError):
        step(doc, "reply", "op_a", office, note="")  # a reply needs words
    with pytest.raises(ValidationError):
        step(doc, "assign", "district", office, lead_area=office["street_a"], days=0)
    with pytest.raises(ValidationError):
        step(doc, "fly", "district", office)


def test_scope_a_street_never_sees_another_streets_documents(office):
    doc_a = receive(office, title="甲街道的文件")
    receive(office, title="乙街道的文件", main=[office["street_b"]])
    assert [d.title for d in queries.documents_for(office["op_a"])] == ["甲街道的文件"]
    assert [d.title for d in queries.documents_for(office["op_b"])] == ["乙街道的文件"]
    assert queries.documents_for(office["district"]).count() == 2
    # A reader from elsewhere sees it once circulated to them.
    doc_a = step(doc_a, "sign", "op_a", office)
    assert not queries.documents_for(office["member_a"]).exists()
    step(doc_a, "circulate", "district", office, readers=[office["member_a"]])
    assert list(queries.documents_for(office["member_a"])) == [doc_a]


def test_search_and_overdue(office, client_for):
    doc = receive(office, number="金政〔2026〕7号", title="关于调整网格的通知")
    receive(office, number="金政〔2026〕8号", title="其他", issuing_unit="区民政局")
    assert [d.pk for d in listed(office, q="7号")] == [doc.pk]
    assert [d.pk for d in listed(office, q="网格")] == [doc.pk]
    assert listed(office, q="民政局").count() == 1
    doc = step(doc, "sign", "op_a", office)
    doc = step(doc, "register", "district", office)
    doc = step(doc, "assign", "district", office, lead_area=office["street_a"], days=1)
    Document.objects.filter(pk=doc.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    assert [d.pk for d in listed(office, overdue="1")] == [doc.pk]
    assert listed(office, overdue="0").count() == 2  # "0" is no (a checkbox field takes it for yes)
    rows = queries.deadlines_by_level(office["district"])
    assert rows == [
        {
            "lead_area__name": office["street_a"].name,
            "lead_area__level": "street",
            "lead_department__name": None,
            "open": 1,
            "overdue": 1,
        }
    ]
    page = client_for(office["district"]).get("/office/documents/", {"overdue": "1"})
    assert [d.pk for d in page.context["page"]] == [doc.pk]
    # The periodic 催办 reminds the lead unit once a day.
    jobs = system_user(JOBS)
    assert documents.remind_overdue(actor=jobs) == {"documents": 1}
    assert documents.remind_overdue(actor=jobs) == {"documents": 0}
    reminder = DocumentEvent.objects.get(document=doc, action="remind")
    assert (reminder.actor, reminder.actor_name) == (jobs, jobs.display_name)


def test_working_days_deadline(office):
    doc = receive(office)
    doc = step(doc, "sign", "op_a", office)
    doc = step(doc, "register", "district", office)
    doc = step(doc, "assign", "district", office, lead_area=office["street_a"], days=5)
    # Five working days never end sooner than five calendar days.
    assert doc.deadline - timezone.now() >= datetime.timedelta(days=4, hours=12)


def test_a_pdf_opens_inline_with_a_safe_policy(office, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = receive(office, files=[check_file(pdf_bytes(), "正文.pdf")])
    item = doc.files.get()
    response = client_for(office["op_a"]).get(f"/office/files/{item.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # Street B may not fetch it (404 as for a missing file); the district may.
    assert client_for(office["op_b"]).get(f"/office/files/{item.pk}/file/").status_code == 404
    assert client_for(office["district"]).get(f"/office/files/{item.pk}/file/").status_code == 200
    # The circulation page embeds it from this site.
    page = client_for(office["op_a"]).get(f"/office/documents/{doc.pk}/")
    assert (
        f'<iframe class="pdf-preview" src="/office/files/{item.pk}/file/"' in page.content.decode()
    )


def test_files_are_checked_by_content(office):
    with pytest.raises(ValidationError):
        check_file(b"<html><script>alert(1)</script>", "fake.pdf")
    with pytest.raises(ValidationError):
        check_file(b"GIF89a", "x.gif")


def test_files_over_the_limit_are_refused(settings):
    settings.GRIDGOV_OFFICE_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationError):
        check_file(pdf_bytes() + b"0" * 100, "big.pdf")


def test_the_circulation_page_steps(office, client_for):
    doc = receive(office)
    client = client_for(office["op_a"])
    assert client.post(f"/office/documents/{doc.pk}/do/sign/").status_code == 302
    doc.refresh_from_db()
    assert doc.status == DocStatus.SIGNED
    district = client_for(office["district"])
    district.post(f"/office/documents/{doc.pk}/do/register/")
    district.post(f"/office/documents/{doc.pk}/do/assign/", {"lead": "area:410105001", "days": "3"})
    district.post(
        f"/office/documents/{doc.pk}/do/circulate/", {"readers": [str(office["leader"].pk)]}
    )
    doc.refresh_from_db()
    assert doc.status == DocStatus.ASSIGNED and doc.readers.count() == 1
    # A reader outside the district's reach is refused; nothing changes.
    response = district.post(
        f"/office/documents/{doc.pk}/do/assign/", {"lead": "area:999", "days": "3"}
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.lead_code == "410105001"


def test_entering_a_document_from_the_page(office, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(office["district"])
    response = client.post(
        "/office/documents/new/",
        {
            "number": "豫政〔2026〕3号",
            "title": "关于加强基层治理的意见",
            "issuing_unit": "河南省人民政府",
            "urgency": "urgent",
            "secrecy": "internal",
            "area": "410105",
            "main": ["area:410105001"],
            "copies": ["area:410105002"],
            "files": [SimpleUploadedFile("正文.pdf", pdf_bytes())],
        },
    )
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.secrecy == "internal" and doc.files.count() == 1
    assert sorted(doc.recipients.values_list("kind", "area_code")) == [
        ("copy", "410105002"),
        ("main", "410105001"),
    ]


def test_a_street_office_circulates_to_the_levels_above_but_not_to_another_street(office):
    doc = documents.receive_document(
        acting_user=office["op_a"],
        area=office["street_a"],
        number="金政〔2026〕20号",
        title="街道收文",
        issuing_unit="金水区人民政府",
        main=[office["street_a"]],
    )
    doc = step(doc, "sign", "op_a", office)
    doc = step(doc, "circulate", "op_a", office, readers=[office["leader"], office["member_a"]])
    assert doc.readers.count() == 2
    with pytest.raises(ValidationError):
        step(doc, "circulate", "op_a", office, readers=[office["member_b"]])
    assert doc.readers.count() == 2


def test_the_change_log_keeps_each_documents_changes(office):
    from gridgov.audit.models import ChangeLog

    doc = receive(office)
    doc = step(doc, "sign", "op_a", office)
    doc = step(doc, "register", "district", office)
    doc = step(doc, "assign", "district", office, lead_area=office["street_a"], days=3)
    rows = list(ChangeLog.objects.filter(object_type="office.document").order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "update", "update"]
    assert rows[-1].before["status"] == "registered" and rows[-1].after["status"] == "assigned"
    assert rows[-1].after["lead_code"] == "410105001" and rows[0].area_code == "410105"
