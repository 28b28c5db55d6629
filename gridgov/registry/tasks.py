from pathlib import Path

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.jobs.registry import job
from gridgov.registry import importing


@job("registry.import")
def import_file(
    ctx, path: str, entity: str, filename: str, mode: str, actor_id: int | None = None
) -> dict:
    """Write an uploaded file that passed its dry run (checked again as it is written)."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    data = Path(path).read_bytes()
    report = importing.commit(
        entity,
        data,
        filename,
        actor=actor,
        mode=mode,
        progress=lambda done, total: ctx.progress(done, total),
    )
    summary = report.summary()
    if report.committed:
        summary["summary"] = _("%(c)d created, %(u)d updated, %(b)d rows refused.") % {
            "c": report.created,
            "u": report.updated,
            "b": report.bad_rows,
        }
    else:
        summary["summary"] = _("Nothing written: %(b)d rows have problems.") % {
            "b": report.bad_rows
        }
    Path(path).unlink(missing_ok=True)
    return summary
