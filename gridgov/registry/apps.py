from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gridgov.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from gridgov.areas.console import add_console_script
        from gridgov.registry import (
            area_moves,  # noqa: F401 (registers its recoder)
            cards,  # noqa: F401 (registers the area-card facts)
        )

        add_console_script("registry/console-layers.js")
