"""PDFs of the lines: the mediation agreement (调解协议书) and the rectification notice
(整改通知书), drawn with reportlab's built-in Chinese font (no font file needed)."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # type: ignore[import-untyped]

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def document(title: str, lines: list[str]) -> bytes:
    """A one-column A4 document: the title, then one paragraph per line."""
    font = _font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, title=title)
    story = [Paragraph(escape(title), title_style), Spacer(1, 8 * mm)]
    for line in lines:
        story.append(Paragraph(escape(line) if line else "&nbsp;", body))
    doc.build(story)
    return out.getvalue()


def agreement_pdf(dispute) -> bytes:
    parties = list(dispute.parties.all())
    lines = [f"编号：{dispute.number}"]
    for p in parties:
        lines.append(f"{p.get_role_display()}：{p.name}")
    lines += [
        "",
        f"纠纷类型：{dispute.get_kind_display()}",
        f"纠纷事项：{dispute.title}",
        f"基本情况：{dispute.description}",
        "",
        "经调解，当事人自愿达成如下协议：",
        *dispute.agreement_text.splitlines(),
        "",
        "本协议自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"
        "当事人可自协议生效之日起三十日内共同向人民法院申请司法确认。",
        "",
        *[f"当事人（签名）：{p.name}　　　　年　　月　　日" for p in parties],
        f"人民调解员（签名）：{dispute.mediator.get_full_name() if dispute.mediator else ''}",
        f"调解组织：{dispute.mediation_body}",
    ]
    return document("人民调解协议书", lines)


def notice_pdf(hazard) -> bytes:
    lines = [
        f"编号：{hazard.number}",
        f"{hazard.place_name}：",
        f"经{timezone.localtime(hazard.inspection.at):%Y年%m月%d日}检查，你单位存在以下安全隐患：",
        f"{hazard.item.text}：{hazard.description}",
        f"隐患等级：{hazard.get_grade_display()}",
        f"请于{hazard.deadline:%Y年%m月%d日}前整改完毕，届时将进行复查。",
        f"责任人：{hazard.responsible}",
    ]
    if hazard.supervised_by:
        lines.append(f"本隐患已列入挂牌督办，督办期限：{hazard.supervision_deadline}")
    lines += ["", "检查单位（盖章）　　　　被检查单位负责人（签名）"]
    return document("安全隐患整改通知书", lines)
