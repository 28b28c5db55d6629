"""gridgov rotate_data_key: a new data key version, then every sealed ID and phone number moved
to it (re-encrypted and re-indexed in batches, with progress); see docs/cryptography.md."""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gridgov.crypto import rotation
from gridgov.crypto.keys import (
    RELOAD_SECONDS,
    add_key_version,
    cipher,
    keys_from_environment,
    retire_key_versions,
)


class Command(BaseCommand):
    help = (
        "Add a new data key version and re-seal every ID and phone number with it, in batches. "
        "Old rows stay readable throughout; --resume only re-seals (after an interruption, or "
        "when the keys come from GRIDGOV_DATA_KEYS); --retire then drops unused old versions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--resume", action="store_true", help="Re-seal only, no new key.")
        parser.add_argument(
            "--retire",
            action="store_true",
            help="Afterwards remove older key versions that no row uses any more.",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--wait",
            type=float,
            default=RELOAD_SECONDS + 1,
            help="Seconds to let running processes load the new key before re-sealing.",
        )

    def handle(self, *args, resume, retire, batch_size, wait, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not resume:
            if keys_from_environment():
                raise CommandError(
                    "The data keys come from GRIDGOV_DATA_KEYS: add a new VERSION:HEX there, "
                    "restart, then run rotate_data_key --resume."
                )
            version = add_key_version()
            self.stdout.write(f"New data key version {version} is current.")
            time.sleep(max(wait, 0))
        current = cipher().current_version()
        self.stdout.write(f"Re-sealing with data key version {current}…")
        done = rotation.reseal_all(batch_size, self._progress)
        for label, count in done.items():
            self.stdout.write(f"{label}: {count} re-sealed")
        left = {k: v for k, v in rotation.left_behind().items() if v}
        if left:
            raise CommandError(f"Rows still on an older key (run again with --resume): {left}")
        self.stdout.write(self.style.SUCCESS(f"Every sealed value is on version {current}."))
        if retire:
            older = [v for v in cipher().versions() if v != current]
            try:
                gone = retire_key_versions(rotation.versions_in_use(older))
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Retired key versions: {gone or 'none'}")

    def _progress(self, label: str, done: int, total: int) -> None:
        self.stdout.write(f"{label}: {done}/{total}")
