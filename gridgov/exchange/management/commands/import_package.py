"""`gridgov import_package FILE --signer HEX`: verify an exchange package (signature by a
trusted key, every file's hash, the counts; decrypted with this platform's own keys) and keep
its rows. Trusted signers: --signer (repeatable) and GRIDGOV_EXCHANGE_TRUSTED_SIGNERS."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.system import EXCHANGE, system_user
from gridgov.exchange.services import packages


class Command(BaseCommand):
    help = "Verify an exchange package and import its rows."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the package (.zip)")
        parser.add_argument(
            "--signer", action="append", default=[], help="a trusted public signing key (hex)"
        )
        parser.add_argument(
            "--show-keys",
            action="store_true",
            help="print this platform's public keys (for the sender to register) and stop",
        )

    def handle(self, *args, **options):
        if options["show_keys"]:
            self.stdout.write(json.dumps(packages.platform_public_keys(), indent=1))
            return
        if not options["file"]:
            raise CommandError("Name the package file.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        trusted = [*options["signer"], *getattr(settings, "GRIDGOV_EXCHANGE_TRUSTED_SIGNERS", [])]
        if not trusted:
            raise CommandError("Name the sender's public signing key with --signer.")
        try:
            counts = packages.import_package(
                system_user(EXCHANGE), path.read_bytes(), trusted_signers=trusted
            )
        except packages.PackageRefused as exc:
            raise CommandError(f"Refused: {exc}") from exc
        self.stdout.write(
            f"imported {counts['records']} records "
            f"({counts['created']} new, {counts['updated']} updated)"
        )
        if counts.get("deleted"):
            self.stdout.write(
                f"removed {counts['deleted']} records deleted or merged at the source"
            )
