from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinesConfig(AppConfig):
    name = "gridgov.lines"
    label = "lines"
    verbose_name = _("Business lines")
