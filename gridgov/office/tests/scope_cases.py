"""The office's routes in the scope matrix: street B's notice, document, group conversation and
channel, with a PDF and a photo, asked for by street A (see gridgov/tests/scope.py)."""

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import jpeg
from gridgov.conftest import make_user
from gridgov.office.files import check_file
from gridgov.office.models import ConversationMember
from gridgov.office.services import documents, notices
from gridgov.office.services import messages as chat
from gridgov.office.tests.conftest import pdf_bytes
from gridgov.tests.scope import Case

NOTICE_B = "乙街道的防汛通知"
DOCUMENT_B = "乙街道的公文"
GROUP_B = "乙街道值班群"
MESSAGE_B = "乙街道的私信"
STREET_B_NAME = "花园路街道"


def setup(world) -> None:
    street_b = Area.objects.get(code="410105002")
    district = Area.objects.get(code="410105")
    op_b = world.users["op_b"]
    member_b = make_user("office_member_b", Role.GRID_MEMBER, ["41010500200102"])
    assign_staff(
        member_b,
        Area.objects.get(code="41010500200102"),
        ForceType.GRID_MEMBER,
        actor=system_user(SETUP),
    )
    world.users["office_member_b"] = member_b
    world.objects["notice_b"] = notices.publish_notice(
        acting_user=op_b,
        kind="notice",
        title=NOTICE_B,
        body="请各网格签收",
        area=street_b,
        requires_ack=True,
        files=[check_file(pdf_bytes(), "通知.pdf")],
    )
    doc = documents.receive_document(
        acting_user=world.users["admin"],
        area=district,
        number="金政〔2026〕99号",
        title=DOCUMENT_B,
        issuing_unit="金水区人民政府",
        main=[street_b],
        files=[check_file(pdf_bytes(), "正文.pdf")],
    )
    doc = documents.perform(doc, "sign", acting_user=op_b)
    doc = documents.perform(doc, "register", acting_user=world.users["admin"])
    world.objects["document_b"] = documents.perform(
        doc, "assign", acting_user=world.users["admin"], lead_area=street_b, days=5
    )
    conv = chat.start_conversation(acting_user=op_b, others=[member_b], title=GROUP_B)
    chat.send_message(
        conv,
        acting_user=op_b,
        body=MESSAGE_B,
        files=[check_file(check_photo(jpeg()).original.read(), "现场.jpg")],
    )
    world.objects["conversation_b"] = conv
    channel = chat.area_channel(street_b, acting_user=op_b)
    chat.send_message(channel, acting_user=op_b, body="乙街道频道消息")


def _notice(w) -> int:
    return w.objects["notice_b"].pk


def _doc(w) -> int:
    return w.objects["document_b"].pk


def _conv(w) -> int:
    return w.objects["conversation_b"].pk


def _file(w, owner: str) -> int:
    # the first one: the upload cases add more to the same things
    if owner == "message":
        first = w.objects["conversation_b"].messages.order_by("pk").first()
        return first.files.order_by("pk").first().pk
    return w.objects[f"{owner}_b"].files.order_by("pk").first().pk


def _new_direct_with_op_b(w, answer) -> bool:
    return ConversationMember.objects.filter(
        conversation__kind="direct", user=w.users["op_b"]
    ).exists()


NOTICE_IN = {
    "kind": "notice",
    "title": "x",
    "area_code": "410105002",
    "requires_ack": False,
}
DOCUMENT_IN = {
    "number": "x〔2026〕1号",
    "title": "x",
    "issuing_unit": "x",
    "area_code": "410105002",
    "main": ["area:410105002"],
}
MEMBER_B = "office_member_b"


def _upload(w) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"files": [SimpleUploadedFile("附件.pdf", pdf_bytes())], "body": "x"}


CASES = [
    # notices
    Case("api/v1/office/notices", lambda w: "/api/v1/office/notices", expect=200,
         absent=lambda w: [NOTICE_B], codes=()),
    Case("api/v1/office/notices", lambda w: "/api/v1/office/notices", "POST",
         lambda w: NOTICE_IN, live_expect=201),
    Case("api/v1/office/notices/<notice_id>", lambda w: f"/api/v1/office/notices/{_notice(w)}"),
    Case("api/v1/office/notices/<notice_id>/ack",
         lambda w: f"/api/v1/office/notices/{_notice(w)}/ack", "POST", lambda w: {},
         live_as=MEMBER_B),
    Case("api/v1/office/notices/<notice_id>/remind",
         lambda w: f"/api/v1/office/notices/{_notice(w)}/remind", "POST", lambda w: {},
         live_as="op_b"),
    Case("api/v1/office/notices/<notice_id>/files",
         lambda w: f"/api/v1/office/notices/{_notice(w)}/files", "POST", _upload,
         multipart=True, live_expect=201),
    Case("api/v1/office/files/<file_id>", lambda w: f"/api/v1/office/files/{_file(w, 'notice')}"),
    Case("office/", lambda w: "/office/", expect=200, absent=lambda w: [NOTICE_B]),
    Case("office/m/", lambda w: "/office/m/", expect=200, absent=lambda w: [NOTICE_B]),
    Case("office/notices/new/", lambda w: "/office/notices/new/", expect=200,
         absent=lambda w: [STREET_B_NAME]),
    Case("office/notices/new/", lambda w: "/office/notices/new/", "POST",
         lambda w: {"kind": "notice", "title": "x", "area": "410105002"}, expect=400,
         multipart=True, live_expect=302),
    Case("office/notices/<int:pk>/", lambda w: f"/office/notices/{_notice(w)}/"),
    Case("office/notices/<int:pk>/ack/", lambda w: f"/office/notices/{_notice(w)}/ack/", "POST",
         lambda w: {}, multipart=True, live_as=MEMBER_B),
    Case("office/notices/<int:pk>/remind/", lambda w: f"/office/notices/{_notice(w)}/remind/",
         "POST", lambda w: {}, multipart=True, live_as="op_b"),
    Case("office/files/<int:pk>/<str:variant>/", lambda w: f"/office/files/{_file(w, 'notice')}/file/"),
    # documents
    Case("api/v1/office/documents", lambda w: "/api/v1/office/documents", expect=200,
         absent=lambda w: [DOCUMENT_B], codes=()),
    Case("api/v1/office/documents", lambda w: "/api/v1/office/documents?q=99号", expect=200,
         absent=lambda w: [DOCUMENT_B], codes=()),
    Case("api/v1/office/documents", lambda w: "/api/v1/office/documents", "POST",
         lambda w: DOCUMENT_IN, live_expect=201),
    Case("api/v1/office/documents/<document_id>", lambda w: f"/api/v1/office/documents/{_doc(w)}"),
    Case("api/v1/office/documents/<document_id>/actions/<action>",
         lambda w: f"/api/v1/office/documents/{_doc(w)}/actions/reply", "POST",
         lambda w: {"note": "x"}, live_as="op_b"),
    Case("api/v1/office/documents/<document_id>/files",
         lambda w: f"/api/v1/office/documents/{_doc(w)}/files", "POST", _upload,
         multipart=True, live_expect=201),
    Case("api/v1/office/files/<file_id>",
         lambda w: f"/api/v1/office/files/{_file(w, 'document')}"),
    Case("office/documents/", lambda w: "/office/documents/", expect=200,
         absent=lambda w: [DOCUMENT_B]),
    Case("office/documents/", lambda w: "/office/documents/?overdue=0&q=公文", expect=200,
         absent=lambda w: [DOCUMENT_B]),
    Case("office/documents/new/", lambda w: "/office/documents/new/", expect=200,
         absent=lambda w: [STREET_B_NAME]),
    Case("office/documents/new/", lambda w: "/office/documents/new/", "POST",
         lambda w: {"number": "x", "title": "x", "issuing_unit": "x", "urgency": "normal",
                    "secrecy": "none", "area": "410105002", "main": ["area:410105002"]},
         expect=400, multipart=True, live_expect=302),
    Case("office/documents/deadlines/", lambda w: "/office/documents/deadlines/", expect=200,
         absent=lambda w: [STREET_B_NAME]),
    Case("office/documents/<int:pk>/", lambda w: f"/office/documents/{_doc(w)}/"),
    Case("office/documents/<int:pk>/do/<str:action>/",
         lambda w: f"/office/documents/{_doc(w)}/do/remind/", "POST", lambda w: {"note": "x"},
         multipart=True),
    Case("office/files/<int:pk>/<str:variant>/", lambda w: f"/office/files/{_file(w, 'document')}/file/"),
    # messages
    Case("api/v1/office/unread", lambda w: "/api/v1/office/unread", expect=200,
         leaks=lambda w, a: str(_conv(w)) in (a or {}).get("conversations", {}),
         live_as=MEMBER_B),
    Case("api/v1/office/conversations", lambda w: "/api/v1/office/conversations", expect=200,
         absent=lambda w: [GROUP_B], live_as="op_b"),
    Case("api/v1/office/conversations", lambda w: "/api/v1/office/conversations", "POST",
         lambda w: {"members": [w.users["op_b"].pk]}, expect=400, live_as="district",
         live_expect=201),
    Case("api/v1/office/conversations/<conversation_id>/messages",
         lambda w: f"/api/v1/office/conversations/{_conv(w)}/messages", live_as="op_b"),
    Case("api/v1/office/conversations/<conversation_id>/messages",
         lambda w: f"/api/v1/office/conversations/{_conv(w)}/messages", "POST",
         lambda w: {"body": "x"}, live_as="op_b", live_expect=201),
    Case("api/v1/office/conversations/<conversation_id>/messages/upload",
         lambda w: f"/api/v1/office/conversations/{_conv(w)}/messages/upload", "POST", _upload,
         multipart=True, live_as="op_b", live_expect=201),
    Case("api/v1/office/files/<file_id>/thumbnail",
         lambda w: f"/api/v1/office/files/{_file(w, 'message')}/thumbnail", live_as="op_b"),
    Case("api/v1/office/conversations/<conversation_id>/read",
         lambda w: f"/api/v1/office/conversations/{_conv(w)}/read", "POST", lambda w: {},
         live_as=MEMBER_B),
    Case("office/messages/", lambda w: "/office/messages/", expect=200,
         absent=lambda w: [GROUP_B], live_as="op_b"),
    Case("office/messages/new/", lambda w: "/office/messages/new/", "POST",
         lambda w: {"members": [str(w.users["op_b"].pk)]}, expect=302, multipart=True,
         leaks=_new_direct_with_op_b, live_as="district"),
    Case("office/messages/<int:pk>/", lambda w: f"/office/messages/{_conv(w)}/", live_as="op_b"),
    Case("office/messages/<int:pk>/send/", lambda w: f"/office/messages/{_conv(w)}/send/", "POST",
         lambda w: {"body": "x"}, multipart=True, live_as="op_b"),
    Case("office/messages/area/<str:code>/", lambda w: "/office/messages/area/410105002/",
         live_expect=302),
    Case("office/files/<int:pk>/<str:variant>/",
         lambda w: f"/office/files/{_file(w, 'message')}/thumbnail/", live_as="op_b"),
]  # fmt: skip
