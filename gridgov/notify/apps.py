from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "gridgov.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gridgov.notify.delivery import opt_out_on_stop
        from gridgov.notify.signals import sms_received

        sms_received.connect(opt_out_on_stop, dispatch_uid="notify.opt_out_on_stop")
