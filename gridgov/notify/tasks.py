from gridgov.jobs.registry import job
from gridgov.notify.services import send_pending


@job("notify.send_sms")
def send_sms(ctx) -> dict:
    return send_pending()
