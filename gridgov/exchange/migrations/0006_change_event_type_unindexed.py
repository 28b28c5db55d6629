"""The change feed reads events after a cursor in id order, so an index on the event type is never
the way in; every report wrote a page of it. Dropped by name (with PostgreSQL's `_like` twin)."""

from django.db import migrations, models

NAME = "exchange_changeevent_type_9e3d0523"


def drop_index(apps, schema_editor):
    for index in (NAME, f"{NAME}_like"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def create_index(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(f"CREATE INDEX {quote(NAME)} ON exchange_changeevent ({quote('type')})")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0005_hotline")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="changeevent",
                    name="type",
                    field=models.CharField(max_length=40, verbose_name="event"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
