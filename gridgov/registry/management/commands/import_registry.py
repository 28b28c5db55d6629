import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gridgov.accounts.system import IMPORT, system_user
from gridgov.registry import importing


class Command(BaseCommand):
    help = (
        "Check (and with --commit, import) an Excel or CSV file of people, buildings, houses "
        "or organizations."
    )

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=sorted(importing.TEMPLATES))
        parser.add_argument("path")
        parser.add_argument(
            "--commit", action="store_true", help="Write the file (otherwise a dry run)."
        )
        parser.add_argument(
            "--mode",
            choices=["good", "all"],
            default="good",
            help="good: import the good rows; all: nothing unless every row is good.",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, entity, path, commit, mode, json: bool, **options):
        data = Path(path).read_bytes()
        try:
            if commit:
                bar = tqdm(desc="import", unit="row", file=sys.stderr)

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                report = importing.commit(
                    entity,
                    data,
                    Path(path).name,
                    actor=system_user(IMPORT),
                    mode=mode,
                    progress=progress,
                )
                bar.close()
            else:
                report = importing.check(entity, data, Path(path).name, actor=system_user(IMPORT))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        summary = report.summary()
        if json:
            self.stdout.write(_dumps(summary))
            return
        for e in report.errors[:200]:
            self.stdout.write(f"row {e.row} {e.column}: {e.reason}")
        self.stdout.write(
            f"{report.total} rows: {summary['good']} good, {report.bad_rows} with problems; "
            f"created {report.created}, updated {report.updated}."
        )
        if commit and not report.committed:
            raise CommandError("Nothing written (mode all and some rows have problems).")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
