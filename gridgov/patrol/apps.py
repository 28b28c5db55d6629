from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "gridgov.patrol"
    label = "patrol"
    verbose_name = _("Field work")

    def ready(self) -> None:
        from gridgov.patrol.services.tracks_retention import register_kinds

        register_kinds()
