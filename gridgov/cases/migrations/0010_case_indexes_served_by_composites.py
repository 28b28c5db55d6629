"""Three single-column indexes go: case.category, case.department and caseevent.action are served
by the (category, lon, lat), (department, status) and (action, time) indexes, and every index is
one more page written per report. The indexes are dropped by name: altering the fields through
the schema editor would copy the whole case table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models


# (table, column, index name as Django made it); PostgreSQL also has a `_like` twin for CharFields.
DROPPED = [
    ("cases_case", "category_id", "cases_case_category_id_c6dc5a5a"),
    ("cases_case", "department_id", "cases_case_department_id_c5b7309d"),
    ("cases_caseevent", "action", "cases_caseevent_action_962ce64c"),
]


def drop_indexes(apps, schema_editor):
    for _table, _column, name in DROPPED:
        for index in (name, f"{name}_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, name in DROPPED:
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_grid_monitor_and_instructor_forces"),
        ("cases", "0009_more_channels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="action",
                    field=models.CharField(max_length=24),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
