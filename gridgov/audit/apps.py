from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gridgov.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.core import checks

        from gridgov.audit import retention

        retention.register_audit_logs()
        checks.register(retention.check_settings)
