from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "gridgov.office"
    label = "office"
    verbose_name = _("Office")

    def ready(self) -> None:
        from gridgov.office import tasks  # noqa: F401 (registers the periodic jobs)
