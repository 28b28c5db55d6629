from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsConfig(AppConfig):
    name = "gridgov.warnings"
    label = "warnings"
    verbose_name = _("Warnings")

    def ready(self) -> None:
        from gridgov.notify.signals import sms_delivery, sms_received
        from gridgov.warnings import receivers

        sms_delivery.connect(receivers.on_delivery, dispatch_uid="warnings.delivery")
        sms_received.connect(receivers.on_received, dispatch_uid="warnings.ack_by_reply")
