from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from gridgov.areas.console import add_console_script
        from gridgov.cases import (
            area_moves,  # noqa: F401 (registers its recoder)
            cards,  # noqa: F401 (registers the area-card facts)
        )

        add_console_script("cases/console-layer.js")
        self._forget_cached_tables_on_change()

    @staticmethod
    def _forget_cached_tables_on_change() -> None:
        """Intake caches categories, time limits and workday overrides for a minute; a change made
        in this process shows at once (other workers follow when their minute is up)."""
        from django.db.models.signals import post_delete, post_save

        from gridgov.cases import deadlines, services, worktime
        from gridgov.cases.models import (
            CalendarYear,
            Category,
            GradeRule,
            TimeLimit,
            WorkdayOverride,
        )

        def forget(**kwargs) -> None:
            services.forget_caches()
            deadlines.forget_rules()
            worktime.forget_overrides()

        for model in (Category, TimeLimit, WorkdayOverride, CalendarYear, GradeRule):
            post_save.connect(forget, sender=model, weak=False)
            post_delete.connect(forget, sender=model, weak=False)
