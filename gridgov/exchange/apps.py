from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "gridgov.exchange"
    label = "exchange"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        import gridgov.exchange.services.retention  # noqa: F401 (registers its data kinds)
        from gridgov.exchange.services import events, webhooks

        events.connect()
        webhooks.register_gateway()
        from gridgov.exchange.services import catalogue_retention

        catalogue_retention.register_kinds()
        from gridgov.exchange.services import federation

        federation.register_gateway()
