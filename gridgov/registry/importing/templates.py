"""The columns of each import (Chinese headers, kinds, choices) and the template files made
from them."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from gridgov.tables import csv_bytes, safe_row


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header of the template
    field: str
    required: bool = False
    kind: str = "text"  # text, int, float, date, choice, phone, bool
    choices: dict | None = None  # Chinese label → value
    max_length: int = 100
    example: str = ""


# Template values are Chinese whatever the interface language (the templates are Chinese).
BUILDING_USES = {
    "住宅": "residential",
    "商业": "commercial",
    "商住混合": "mixed",
    "办公": "office",
    "工业": "industrial",
    "公共服务": "public",
    "其他": "other",
}
HOUSE_USES = {
    "住宅": "residence",
    "商铺": "shop",
    "办公": "office",
    "仓储": "warehouse",
    "其他": "other",
}
HOUSE_STATES = {
    "自住": "owner",
    "出租": "rented",
    "空置": "vacant",
    "经营": "business",
    "未知": "unknown",
}
ORGANIZATION_KINDS = {
    "企业": "enterprise",
    "个体工商户": "shop",
    "社会组织": "social",
    "党组织": "party",
    "事业单位": "public",
    "机关": "government",
    "其他": "other",
}
ORGANIZATION_STATES = {"在营": "operating", "注销": "closed", "停业": "suspended"}


TEMPLATES: dict[str, list[Column]] = {
    "people": [
        Column("姓名", "name", True, example="张三", max_length=50),
        Column("公民身份号码", "id_number", example="11010519491231002X"),
        Column(
            "其他证件类型",
            "other_id_type",
            kind="choice",
            choices={
                "护照": "passport",
                "出生医学证明": "birth",
                "港澳台居民证件": "hmt",
                "外国人居留许可": "residence",
                "其他": "other",
            },
        ),
        Column("其他证件号码", "other_id", max_length=40),
        Column("曾用名", "former_name", max_length=50),
        Column("民族", "ethnicity", example="汉族", max_length=20),
        Column("联系电话", "phone", kind="phone", example="13800000000"),
        Column(
            "人口类型",
            "registration",
            kind="choice",
            choices={
                "户籍人口": "registered",
                "流动人口": "floating",
                "境外人员": "overseas",
                "未落户人员": "unregistered",
            },
            example="户籍人口",
        ),
        Column("国籍", "nationality", max_length=40),
        Column("签证有效期", "visa_expiry", kind="date"),
        Column("房屋编码", "house_code", example="410105001-001-1-1-3-302", max_length=48),
        Column(
            "居住关系",
            "relation",
            kind="choice",
            choices={"业主": "owner", "租户": "tenant", "居住": "resident"},
            example="业主",
        ),
        Column("入住日期", "since", kind="date", example="2020-05-01"),
        Column("文化程度", "education", max_length=20),
        Column("职业", "occupation", max_length=50),
        Column("工作单位", "employer", max_length=100),
        Column("婚姻状况", "marital_status", max_length=10),
        Column("政治面貌", "political_status", max_length=20),
    ],
    "buildings": [
        Column("楼栋编码", "code", True, example="410105001-001-1", max_length=32),
        Column("楼栋名称", "name", True, example="体育社区1号楼"),
        Column(
            "标准地址",
            "address",
            True,
            example="金水区经八路街道体育社区经八路12号院1号楼",
            max_length=200,
        ),
        Column("经度", "lon", True, kind="float", example="113.7"),
        Column("纬度", "lat", True, kind="float", example="34.8"),
        Column("用途", "use", kind="choice", choices=BUILDING_USES, example="住宅"),
        Column("单元数", "units", kind="int", example="2"),
        Column("层数", "floors", kind="int", example="6"),
        Column("每层户数", "rooms_per_floor", kind="int", example="2"),
        Column("建成年份", "built_year", kind="int"),
        Column("物业", "manager"),
    ],
    "houses": [
        Column("楼栋编码", "building_code", True, example="410105001-001-1", max_length=32),
        Column("单元", "unit", True, kind="int", example="1"),
        Column("楼层", "floor", True, kind="int", example="3"),
        Column("房号", "room", True, example="302", max_length=10),
        Column("用途", "use", kind="choice", choices=HOUSE_USES, example="住宅"),
        Column("使用状态", "state", kind="choice", choices=HOUSE_STATES, example="自住"),
        Column("建筑面积", "floor_area", kind="float"),
        Column("产权人", "owner_name", max_length=50),
    ],
    "organizations": [
        Column("单位名称", "name", True, example="某某商贸有限公司", max_length=120),
        Column("统一社会信用代码", "credit_code", example="91110000600037341L", max_length=18),
        Column("单位类型", "kind", kind="choice", choices=ORGANIZATION_KINDS, example="企业"),
        Column("行业", "industry", max_length=50),
        Column("法定代表人", "legal_representative", max_length=50),
        Column("联系电话", "phone", kind="phone"),
        Column("地址", "address", max_length=200),
        Column("房屋编码", "house_code", max_length=48),
        Column("经度", "lon", kind="float"),
        Column("纬度", "lat", kind="float"),
        Column("从业人数", "staff_count", kind="int"),
        Column("治安负责人", "security_officer", max_length=50),
        Column("消防负责人", "fire_officer", max_length=50),
        Column("重点单位", "key_unit", kind="bool"),
        Column("经营状态", "state", kind="choice", choices=ORGANIZATION_STATES, example="在营"),
    ],
}
ENTITY_LABELS = {
    "people": gettext_lazy("People (with residences)"),
    "buildings": gettext_lazy("Buildings"),
    "houses": gettext_lazy("Houses"),
    "organizations": gettext_lazy("Organizations"),
}


def template_xlsx(entity: str) -> bytes:
    """The import template: Chinese headers, one example row, and a sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    columns = TEMPLATES[entity]
    book = Workbook()
    sheet = book.active
    sheet.title = str(ENTITY_LABELS[entity])[:30]
    sheet.append(safe_row([c.header for c in columns]))
    sheet.append(safe_row([c.example for c in columns]))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E8C")
    for i, c in enumerate(columns, 1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(
            12, len(c.header) * 2 + 4
        )
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "类型", "可选值"])
    kinds = {
        "text": "文本",
        "int": "整数",
        "float": "数值",
        "date": "日期 YYYY-MM-DD",
        "choice": "选项",
        "phone": "电话号码",
        "bool": "是/否",
    }
    for c in columns:
        notes.append(
            [
                c.header,
                "是" if c.required else "",
                kinds[c.kind],
                "、".join(c.choices) if c.choices else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(entity: str) -> bytes:
    columns = TEMPLATES[entity]
    return csv_bytes([c.header for c in columns], [[c.example for c in columns]])
