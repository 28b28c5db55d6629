from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="outbox", old_name="phone", new_name="destination"),
        migrations.AlterField(
            model_name="outbox",
            name="destination",
            field=models.CharField(help_text="A phone number, URL or node", max_length=200),
        ),
        migrations.AlterField(model_name="outbox", name="body", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="outbox",
            name="payload",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="outbox",
            name="priority",
            field=models.PositiveSmallIntegerField(
                choices=[(10, "Warning"), (20, "Verification code"), (30, "Case step"), (40, "Bulk")],
                default=30,
            ),
        ),
        migrations.AddField(
            model_name="outbox",
            name="dedupe_key",
            field=models.CharField(
                blank=True,
                help_text="Enqueueing the same key again is a no-op",
                max_length=200,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="outbox",
            name="leased_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outbox",
            name="leased_by",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name="outbox",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="outbox",
            constraint=models.UniqueConstraint(
                fields=("channel", "dedupe_key"), name="outbox_dedupe_key_once_per_channel"
            ),
        ),
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(fields=["status", "priority", "id"], name="outbox_due_in_order"),
        ),
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(fields=["channel", "destination", "sent_at"], name="outbox_rate"),
        ),
    ]
