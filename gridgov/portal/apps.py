from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gridgov.portal"
    label = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        from gridgov.portal.retention import register_kinds

        register_kinds()
