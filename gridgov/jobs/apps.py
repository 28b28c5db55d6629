from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "gridgov.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        autodiscover_modules("tasks")
