from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.geojson_io import commit_import
from gridgov.jobs.registry import job


@job("areas.import_geojson")
def import_geojson(ctx, path: str, crs: str, actor_id: int) -> dict:
    """Commit an uploaded GeoJSON file that passed its dry run (it is checked again, with the
    rights of the user who uploaded it)."""
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        raise PermissionDenied(_("The user who started this import no longer exists."))
    raw = Path(path).read_bytes()
    plan = commit_import(
        raw, crs=crs, actor=actor, progress=lambda done, total: ctx.progress(done, total)
    )
    summary = plan.summary()
    summary["summary"] = (
        _("%(create)d created, %(update)d updated.") % summary
        if plan.ok
        else _("Refused: %(n)d problems.") % {"n": len(plan.problems)}
    )
    Path(path).unlink(missing_ok=True)
    return summary
