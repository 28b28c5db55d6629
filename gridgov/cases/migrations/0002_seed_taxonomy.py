"""The taxonomy and default time limits as editable seed data (cases/data/taxonomy.json)."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    TimeLimit = apps.get_model("cases", "TimeLimit")
    data = json.loads(SEED.read_text(encoding="utf-8"))
    made = {}
    for row in data["categories"]:
        made[row["code"]] = Category.objects.create(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            parent=made.get(row["parent"]),
            department_line=row.get("line", ""),
            filing_condition=row.get("filing", ""),
            closing_condition=row.get("closing", ""),
            natural_time=row.get("natural", False),
        )
    for row in data["limits"]:
        TimeLimit.objects.create(
            category=made.get(row["category"]),
            area_class=row["area_class"],
            stage=row["stage"],
            amount=row["amount"],
            unit=row["unit"],
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "TimeLimit").objects.all().delete()
    apps.get_model("cases", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
