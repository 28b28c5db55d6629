"""`gridgov audit verify`: check the hash chain of every append-only log."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.audit import chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain of every append-only log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Walk every chain; exit 1 at the first broken row.")

    def handle(self, *args, action: str, **options):
        broken = []
        for model in chain.chained_models():
            report = chain.verify(model)
            if report.ok:
                self.stdout.write(
                    f"{report.chain}: {report.rows} rows verified; last row "
                    f"{report.last_id or '-'}, hash {report.last_hash or '-'}"
                )
            else:
                where = f"row {report.broken_id}" if report.broken_id else "anchor"
                self.stdout.write(
                    self.style.ERROR(f"{report.chain}: BROKEN at {where}: {report.problem}")
                )
                broken.append(report.chain)
        if broken:
            raise CommandError(f"audit chain broken: {', '.join(broken)}")
