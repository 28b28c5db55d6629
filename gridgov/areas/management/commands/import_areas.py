import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gridgov.accounts.system import IMPORT, system_user
from gridgov.areas.crs import Crs
from gridgov.areas.geojson_io import commit_import, plan_import


class Command(BaseCommand):
    help = "Check a GeoJSON file of areas (a dry run), and with --commit write it if it is clean."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="A FeatureCollection (properties code, name, level, parent_code)."
        )
        parser.add_argument("--crs", choices=[c.value for c in Crs], default=Crs.WGS84)
        parser.add_argument(
            "--commit", action="store_true", help="Write the file when it has no problems."
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, path, crs, commit, json: bool, **options):
        raw = Path(path).read_bytes()
        if commit:
            bar = tqdm(desc="import", unit="area", file=sys.stderr)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            plan = commit_import(raw, crs=crs, actor=system_user(IMPORT), progress=progress)
            bar.close()
        else:
            plan = plan_import(raw, crs=crs, actor=system_user(IMPORT))
        summary = plan.summary()
        if json:
            self.stdout.write(_dumps(summary))
        else:
            for p in plan.problems:
                where = f"feature {p.feature}" if p.feature else "file"
                self.stdout.write(f"{where} {p.code}: {p.message}")
            for p in plan.warnings:
                self.stdout.write(f"warning: feature {p.feature} {p.code}: {p.message}")
            self.stdout.write(
                f"{summary['features']} features, {summary['create']} to create, "
                f"{summary['update']} to update, "
                f"{len(plan.problems)} problems."
            )
        if not plan.ok:
            raise CommandError("The file has problems: nothing was written.")
        self.stdout.write(
            self.style.SUCCESS(
                "Written." if commit else "Clean: run again with --commit to write it."
            )
        )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
