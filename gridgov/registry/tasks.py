from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import TRANSFERS, system_user
from gridgov.jobs.registry import job
from gridgov.registry import importing
from gridgov.registry.transfers import escalate_due_transfers


@job("registry.import")
def import_file(ctx, path: str, entity: str, filename: str, mode: str, actor_id: int) -> dict:
    """Write an uploaded file that passed its dry run (checked again as it is written, with the
    rights of the user who uploaded it)."""
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        raise PermissionDenied(_("The user who started this import no longer exists."))
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


UPLOAD_LIFETIME_SECONDS = 24 * 3600


@job("registry.sweep_uploads")
def sweep_uploads(ctx) -> dict:
    """Dry-run uploads nobody imported within a day are personal data lying about: delete them
    (an import queued meanwhile reads its file first, and a day is long for a queue)."""
    import time

    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "uploads"
    removed = 0
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in folder.glob("registry-*") if folder.exists() else []:
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return {"removed": removed}


@job("registry.escalate_transfers")
def escalate_transfers(ctx) -> dict:
    """Transfer requests the holder left undecided past the limit go to the common parent area."""
    return {"escalated": escalate_due_transfers(actor=system_user(TRANSFERS))}
