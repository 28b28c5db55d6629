from django.urls import URLPattern, URLResolver

from gridgov.exchange.urls_catalogue import urlpatterns as catalogue_urls
from gridgov.exchange.urls_clients import urlpatterns as clients_urls
from gridgov.exchange.urls_federation import urlpatterns as federation_urls
from gridgov.exchange.urls_hotline import urlpatterns as hotline_urls
from gridgov.exchange.urls_webhooks import urlpatterns as webhooks_urls

app_name = "exchange"
urlpatterns: list[URLPattern | URLResolver] = [
    *clients_urls,
    *hotline_urls,
    *webhooks_urls,
    *catalogue_urls,
    *federation_urls,
]
