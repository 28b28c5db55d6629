"""The special-population categories and visit intervals a new installation starts with
(the migration 0003 loads them; administrators edit the rows afterwards).

Intervals are days between visits, by category and risk level. Severe mental disorders follow
the national management rule's six risk levels (0–5): level 0 every three months, levels 1–2
monthly, 3–4 every two weeks, level 5 weekly.
"""

# code, name, group, registry key-population category, highest risk, extra fields, intervals
CATEGORIES: list[dict] = [
    {
        "code": "correction",
        "name": "社区矫正对象",
        "group": "control",
        "registry_category": "correction",
        "max_risk": 2,
        "field_schema": [
            {"name": "correction_kind", "label": "矫正类别", "type": "text"},
            {"name": "decision_number", "label": "决定书文号", "type": "text"},
        ],
        "intervals": [30, 14, 7],
    },
    {
        "code": "released",
        "name": "刑满释放人员",
        "group": "control",
        "registry_category": "released",
        "max_risk": 2,
        "field_schema": [
            {"name": "release_date", "label": "释放日期", "type": "date"},
            {"name": "crime", "label": "原罪名", "type": "text"},
        ],
        "intervals": [90, 30, 14],
    },
    {
        "code": "drug",
        "name": "社区戒毒康复人员",
        "group": "control",
        "registry_category": "drug",
        "max_risk": 2,
        "field_schema": [{"name": "agreement_number", "label": "协议编号", "type": "text"}],
        "intervals": [30, 14, 7],
    },
    {
        "code": "mental",
        "name": "严重精神障碍患者",
        "group": "control",
        "registry_category": "mental",
        "max_risk": 5,
        "field_schema": [
            {"name": "diagnosis", "label": "诊断", "type": "text"},
            {"name": "on_medication", "label": "规律服药", "type": "text"},
        ],
        "intervals": [90, 30, 30, 14, 14, 7],
    },
    {
        "code": "key_youth",
        "name": "重点青少年",
        "group": "control",
        "registry_category": "",
        "max_risk": 2,
        "field_schema": [{"name": "school", "label": "学校", "type": "text"}],
        "intervals": [60, 30, 14],
    },
    {
        "code": "elderly_alone",
        "name": "独居老人",
        "group": "care",
        "registry_category": "elderly_alone",
        "max_risk": 1,
        "field_schema": [],
        "intervals": [30, 7],
    },
    {
        "code": "disabled",
        "name": "残疾人",
        "group": "care",
        "registry_category": "disabled",
        "max_risk": 1,
        "field_schema": [{"name": "certificate", "label": "残疾证号", "type": "text"}],
        "intervals": [90, 30],
    },
    {
        "code": "low_income",
        "name": "低保对象",
        "group": "care",
        "registry_category": "low_income",
        "max_risk": 1,
        "field_schema": [],
        "intervals": [90, 30],
    },
]

# Days between visits when a category has no row for a risk level.
FALLBACK_DAYS = 30


def load(category_model, interval_model) -> None:
    """Create the default rows that are missing (used by the migration and the tests)."""
    for data in CATEGORIES:
        fields = {k: v for k, v in data.items() if k not in ("code", "intervals")}
        category, _created = category_model.objects.get_or_create(
            code=data["code"], defaults=fields
        )
        for level, days in enumerate(data["intervals"]):
            interval_model.objects.get_or_create(
                category=category, risk_level=level, defaults={"every_days": days}
            )
