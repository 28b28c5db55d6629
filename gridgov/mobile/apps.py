from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    name = "gridgov.mobile"
    label = "mobile"
    verbose_name = _("Phone app")

    def ready(self) -> None:
        from gridgov.mobile.retention import register_kinds

        register_kinds()
