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


@job("portal.relay_push")
def relay_push(ctx) -> dict:
    """(Public instance) send the reports made here up to the core; a core has none queued."""
    from gridgov.portal.services.relay import push_pending

    done = push_pending(actor=system_user(PORTAL))
    return {"sent": done.sent, "not_sent": done.not_sent, "refused": done.refused}


@job("portal.relay_pull")
def relay_pull(ctx) -> dict:
    """(Public instance) copy the public steps of the reports relayed from here from the core."""
    from gridgov.portal.services.relay import is_public, pull_status

    if not is_public():
        return {"changed": 0}
    return {"changed": pull_status(actor=system_user(PORTAL))}


@job("portal.relay_files")
def relay_files(ctx) -> dict:
    """The relay by files through a one-way gateway, from and to the configured folders
    (GRIDGOV_RELAY_FILES_IN / _OUT): a public instance reads the core's answers and writes what
    is due; the core reads the public instances' files and writes their answers."""
    from gridgov.portal.services.relay_files import run_folders

    return run_folders(actor=system_user(PORTAL))
