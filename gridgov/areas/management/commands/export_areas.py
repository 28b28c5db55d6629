import json

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.geojson_io import export_collection
from gridgov.areas.models import Area, Level


class Command(BaseCommand):
    help = "Write the areas of a subtree as a GeoJSON FeatureCollection."

    def add_arguments(self, parser):
        parser.add_argument("--root", required=True, help="Code of the subtree's top area.")
        parser.add_argument(
            "--levels", default="grid", help="Comma-separated levels, e.g. street,community,grid."
        )
        parser.add_argument("--include-retired", action="store_true")
        parser.add_argument(
            "-o", "--output", default="-", help="File to write (default: standard output)."
        )

    def handle(self, *args, root, levels, include_retired, output, **options):
        wanted = [lv for lv in levels.split(",") if lv]
        if set(wanted) - set(Level.values) or not Area.objects.filter(code=root).exists():
            raise CommandError("Unknown root code or level.")
        areas = Area.objects.filter(code__startswith=root, level__in=wanted).order_by("code")
        if not include_retired:
            areas = areas.active()
        text = json.dumps(export_collection(list(areas)), ensure_ascii=False)
        if output == "-":
            self.stdout.write(text)
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
