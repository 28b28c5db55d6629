from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.backup import services


class Command(BaseCommand):
    help = (
        "Restore a `gridgov backup` archive: replaces the database, writes the uploaded files "
        "and key files back. Stop `gridgov serve` first; run `gridgov migrate` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive, interactive, **options):
        try:
            manifest = services.read_manifest(archive)
        except (OSError, services.BackupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{archive}: made {manifest['created_at']} by gridgov {manifest['gridgov_version']}, "
            f"{manifest['database']['vendor']} database, {len(manifest['files']) - 1} file(s)"
        )
        if interactive:
            answer = input("This replaces the current database. Type 'yes' to continue: ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restored = services.restore(archive)
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored the database and {restored.files} file(s).")
        )
