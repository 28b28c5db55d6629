"""The standard's schemes (GB/T 30428.4, STANDARDS.md) as editable seed data."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "schemes.json"


def load(apps, schema_editor):
    Scheme = apps.get_model("assessment", "Scheme")
    data = json.loads(SEED.read_text(encoding="utf-8"))
    for row in data["schemes"]:
        items = []
        for item in row["items"]:
            if item.get("bands") == "volume":
                item = {**item, "bands": data["volume_bands"]}
            items.append(item)
        Scheme.objects.create(
            code=row["code"],
            name=row["name"],
            unit_kind=row["unit_kind"],
            levels=row["levels"],
            items=items,
        )


def unload(apps, schema_editor):
    apps.get_model("assessment", "Scheme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
