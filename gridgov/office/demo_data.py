"""The office's demo: district and street notices (some awaiting signatures, some signed), official
documents at every step of their circulation (one overdue), and conversations between the demo's
staff — all written through the office's services, so the demo shows what the product does."""

import datetime

import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.office.files import PDF, CheckedFile
from gridgov.office.models import Document, NoticeReceipt
from gridgov.office.services import documents, notices
from gridgov.office.services import messages as chat

# A handful whatever the size: they are few and cheap, and every state should show.
STREET_NOTICES = 6
DOCUMENTS = 12
NOTICE_TITLES = [
    ("notice", "关于做好冬季消防安全检查的通知", True),
    ("notice", "关于开展重点人群走访慰问的通知", True),
    ("dynamic", "街道召开网格化治理工作推进会", False),
    ("notice", "关于元旦春节期间值班安排的通知", True),
    ("dynamic", "社区开展“周末大扫除”环境整治活动", False),
    ("notice", "关于报送本月网格巡查台账的通知", True),
]
DOCUMENT_TITLES = [
    ("郑政办〔2026〕{n}号", "郑州市人民政府办公厅", "关于做好冬季安全生产工作的通知"),
    ("郑政〔2026〕{n}号", "郑州市人民政府", "关于进一步加强基层社会治理的实施意见"),
    ("金政办〔2026〕{n}号", "金水区人民政府办公室", "关于开展城乡环境综合整治的通知"),
    ("郑民〔2026〕{n}号", "郑州市民政局", "关于做好困难群众冬春救助工作的通知"),
    ("金综治〔2026〕{n}号", "金水区综治中心", "关于开展矛盾纠纷排查化解专项行动的通知"),
    ("郑应急〔2026〕{n}号", "郑州市应急管理局", "关于做好低温雨雪冰冻天气防范应对的通知"),
]
# The furthest step each demo document reaches, in turn.
STAGES = ["received", "signed", "registered", "assigned", "assigned", "replied", "closed"]


def _pdf(title: str) -> CheckedFile:
    """A one-page PDF standing in for the scanned document (its text in ASCII)."""
    text = b"BT /F1 14 Tf 40 760 Td (" + title.encode("ascii", "replace") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    data = bytes(out)
    return CheckedFile(ContentFile(data, name="demo.pdf"), None, "正文.pdf", PDF, len(data))


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    users = {
        u.username: u
        for u in User.objects.filter(username__regex=r"^(district_op|leader|[scg]\d+)$")
    }
    district = Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    district_op = users.get("district_op")
    if district is None or district_op is None:
        return  # no demo accounts (load_demo --no-users): nothing to write as anyone
    rng = np.random.default_rng(seed + 9)
    streets = list(
        Area.objects.active().filter(level=Level.STREET, parent=district).order_by("code")
    )
    made = {"notices": 0, "documents": 0, "messages": 0}

    # Notices: the district's, and each of the first streets' own, some with signatures.
    published = [
        notices.publish_notice(
            acting_user=district_op,
            kind="notice",
            title="关于全面推行网格化服务管理的通知",
            body="各街道、社区：请于本周内完成网格员信息核对，并签收本通知。",
            area=district,
            roles=["grid_member", "community_staff"],
            requires_ack=True,
        )
    ]
    for i, street in enumerate(streets[:STREET_NOTICES]):
        op = users.get(f"s{street.code}")
        if op is None:
            continue
        kind, title, ack = NOTICE_TITLES[i % len(NOTICE_TITLES)]
        published.append(
            notices.publish_notice(
                acting_user=op,
                kind=kind,
                title=title,
                body=f"{street.name}各社区、网格：{title}，请认真落实。",
                area=street,
                requires_ack=ack,
            )
        )
    for notice in published:
        receipts = list(NoticeReceipt.objects.filter(notice=notice).select_related("user")[:400])
        for r in receipts:
            if rng.random() < 0.7:
                notices.mark_notice_read(notice, acting_user=r.user)
                if notice.requires_ack and rng.random() < 0.8:
                    notices.acknowledge_notice(notice, acting_user=r.user)
    made["notices"] = len(published)

    # Documents in circulation: received by the district, addressed to streets.
    leader = users.get("leader")
    for i in range(DOCUMENTS):
        if not streets:
            break
        number, unit, title = DOCUMENT_TITLES[i % len(DOCUMENT_TITLES)]
        main = streets[i % len(streets)]
        copies = [s for s in streets[:3] if s != main][:2]
        doc = documents.receive_document(
            acting_user=district_op,
            area=district,
            number=number.format(n=40 + i),
            title=title,
            issuing_unit=unit,
            urgency=["normal", "urgent", "extra"][i % 3],
            secrecy="internal" if i % 4 == 0 else "none",
            summary=f"{title}。请{main.name}牵头落实。",
            main=[main],
            copies=copies,
            files=[_pdf(number.format(n=40 + i))],
        )
        made["documents"] += 1
        stage = STAGES[i % len(STAGES)]
        if stage == "received":
            continue
        for unit_op in [users.get(f"s{main.code}"), *(users.get(f"s{c.code}") for c in copies)]:
            if unit_op is not None and documents.unsigned_for(doc, unit_op):
                doc = documents.perform(doc, "sign", acting_user=unit_op)
        if doc.status != "signed" or stage == "signed":
            continue
        doc = documents.perform(doc, "register", acting_user=district_op)
        if leader is not None:
            doc = documents.perform(doc, "circulate", acting_user=district_op, readers=[leader])
            if i % 2:
                doc = documents.perform(doc, "read", acting_user=leader)
        if stage == "registered":
            continue
        doc = documents.perform(
            doc, "assign", acting_user=district_op, lead_area=main, days=int(rng.integers(3, 11))
        )
        if stage == "assigned":
            if i % 2 == 0:  # one past its deadline, for the overdue list and 催办
                Document.objects.filter(pk=doc.pk).update(
                    deadline=timezone.now() - datetime.timedelta(days=2)
                )
            continue
        lead_op = users.get(f"s{main.code}")
        if lead_op is None:
            continue
        doc = documents.perform(
            doc, "reply", acting_user=lead_op, note=f"{main.name}已部署落实，详见附件报告。"
        )
        if stage == "closed":
            documents.perform(doc, "close", acting_user=district_op)

    # Conversations: a grid member and their community worker, a street's group, a channel.
    for street in streets[:2]:
        communities = list(
            Area.objects.active().filter(parent=street, level=Level.COMMUNITY).order_by("code")[:1]
        )
        op = users.get(f"s{street.code}")
        for community in communities:
            worker = users.get(f"c{community.code}")
            grid = (
                Area.objects.active()
                .filter(parent=community, level=Level.GRID)
                .order_by("code")
                .first()
            )
            member = users.get(f"g{grid.code}") if grid else None
            if worker is None or member is None:
                continue
            conv = chat.start_conversation(acting_user=member, others=[worker])
            for who, text in [
                (member, "王主任，3号楼东侧井盖松动，已拍照上报。"),
                (worker, "收到，我通知物业先设置警示。"),
                (member, "好的，我在现场等物业。"),
                (worker, "物业马上到，辛苦了！"),
            ]:
                chat.send_message(conv, acting_user=who, body=text)
                made["messages"] += 1
            if op is not None:
                group = chat.start_conversation(
                    acting_user=op, others=[worker, member], title=f"{street.name}值班群"
                )
                chat.send_message(group, acting_user=op, body="今晚降温，请各网格巡查独居老人。")
                made["messages"] += 1
        if op is not None:
            channel = chat.area_channel(street, acting_user=op)
            chat.send_message(
                channel, acting_user=op, body=f"{street.name}全体网格员：明早八点例会。"
            )
            made["messages"] += 1
    stdout.write(
        f"  {made['notices']} notices, {made['documents']} documents, {made['messages']} messages"
    )
