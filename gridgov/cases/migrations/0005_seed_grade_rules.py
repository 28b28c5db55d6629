"""Default handling by event grade for every class: a larger event is held at least by the
street, a major or extraordinary one by the district and counted in natural time. Administrators
change them on the case settings page."""

from django.db import migrations

DEFAULTS = [
    ("larger", False, "street", "较大事件至少由街道处置"),
    ("major", True, "district", "重大事件由区指挥中心处置，按自然时间计时"),
    ("extraordinary", True, "district", "特别重大事件由区指挥中心处置，按自然时间计时"),
]


def load(apps, schema_editor):
    GradeRule = apps.get_model("cases", "GradeRule")
    for grade, natural, level, note in DEFAULTS:
        GradeRule.objects.get_or_create(
            category=None,
            grade=grade,
            defaults={"natural_time": natural, "handling_level": level, "note": note},
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "GradeRule").objects.filter(category=None).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_event_grades")]
    operations = [migrations.RunPython(load, unload)]
