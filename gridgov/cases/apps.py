from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from gridgov.areas.console import add_console_script
        from gridgov.cases import cards  # noqa: F401 (registers the area-card facts)

        add_console_script("cases/console-layer.js")
