from gridgov.accounts.system import PORTAL, system_user
from gridgov.jobs.registry import job
from gridgov.portal.services import sync_open_reports


@job("portal.sync_reports")
def sync_reports(ctx) -> dict:
    """Tell followers of portal reports about new public steps (SMS), update the public side."""
    return {"synced": sync_open_reports(actor=system_user(PORTAL))}


@job("portal.area_digest")
def area_digest(ctx) -> dict:
    """SMS to citizens who follow an area: its new public reports, at most once a day."""
    from gridgov.portal.services.area_digest import tell_area_subscribers

    return {"queued": tell_area_subscribers(actor=system_user(PORTAL))}
