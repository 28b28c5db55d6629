"""The (category, lon, lat) index becomes (category, created_at, lon, lat): Open311's `GET
requests` for a service_code reads a category's newest cases in order from it (at 1,000,000 cases
the old index left a backwards read of the created_at index that checked every case's category),
and the likely-duplicates look-up (same category, near in space within 72 hours) narrows on
created_at inside the index. It still serves every look-up by category alone. The new index is
made before the old one goes, so the category is never without an index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_voice_notes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["category", "created_at", "lon", "lat"],
                name="cases_case_categor_3360a6_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_categor_274029_idx",
        ),
    ]
