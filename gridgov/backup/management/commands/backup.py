from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.backup import services


class Command(BaseCommand):
    help = "Back up the database, uploaded files and key files into one archive (docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Archive to write (default: <data folder>/backups/gridgov-<time>.tar.gz).",
        )

    def handle(self, *args, output, **options):
        try:
            path, manifest = services.backup(output)
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{path}: {manifest['database']['vendor']} database and "
            f"{len(manifest['files']) - 1} file(s), {path.stat().st_size:,} bytes"
        )
