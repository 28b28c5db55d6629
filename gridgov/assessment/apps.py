from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gridgov.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from gridgov.assessment import area_moves  # noqa: F401 (registers its recoder)
