"""Fewer index pages written per report.

- case.area_code, case.level_code and caseevent.area_code lose their single-column index: the
  (area_code, status), (level_code, status) and (area_code, time) indexes serve the same look-ups
  (on SQLite a scope is a range of codes). On PostgreSQL a scope is `LIKE 'code%'`, which only a
  `varchar_pattern_ops` index serves, so there the `_like` twin stays, outside the model state
  (Django cannot declare an operator-class index for PostgreSQL alone).
- case.duplicate_of, case.assignee, case.department and caseevent.department are empty when a
  case is reported (and duplicate_of on almost every row for good): their indexes keep only the
  rows that have one, so a report writes none of them.

Indexes are dropped by name: altering the fields through the schema editor would copy the whole
case table on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name as Django made it)
DROPPED = [
    ("cases_case", "area_code", "cases_case_area_code_b0e1a49a"),
    ("cases_case", "level_code", "cases_case_level_code_6649bad6"),
    ("cases_case", "duplicate_of_id", "cases_case_duplicate_of_id_1796dfe5"),
    ("cases_case", "assignee_id", "cases_case_assignee_id_28343c2e"),
    ("cases_caseevent", "area_code", "cases_caseevent_area_code_4d36acc9"),
    ("cases_caseevent", "department_id", "cases_caseevent_department_id_e122de82"),
]


def drop_indexes(apps, schema_editor):
    for _table, _column, name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, name in DROPPED:
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_grid_monitor_and_instructor_forces"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cases", "0010_case_indexes_served_by_composites"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="area_code",
                    field=models.CharField(max_length=20),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="level_code",
                    field=models.CharField(max_length=20),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="duplicate_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="duplicates",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_cases",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="area_code",
                    field=models.CharField(max_length=20),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(duplicate_of__isnull=False),
                fields=["duplicate_of"],
                name="case_duplicate_of_set",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(assignee__isnull=False),
                fields=["assignee"],
                name="case_assignee_set",
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="cases_case_departm_14e27f_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(department__isnull=False),
                fields=["department", "status"],
                name="case_department_status_set",
            ),
        ),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(department__isnull=False),
                fields=["department"],
                name="caseevent_department_set",
            ),
        ),
    ]
