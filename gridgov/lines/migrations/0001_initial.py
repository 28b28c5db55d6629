from django.db import migrations


class Migration(migrations.Migration):
    """The part's starting point; its models come in the next migrations."""

    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
