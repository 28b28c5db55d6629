from django.core.management.base import BaseCommand
from tqdm import tqdm

from gridgov.assessment.rollup import roll_up


class Command(BaseCommand):
    help = "Bring the assessment facts, tallies and cockpit snapshots up to date."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild everything.")

    def handle(self, *args, full: bool = False, **options):
        with tqdm(total=4, desc="roll-up", unit="step") as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            result = roll_up(full=full, progress=progress)
        self.stdout.write(
            f"Rolled up {result['cases']} cases in {result['months']} months "
            f"in {result['seconds']} s."
        )
