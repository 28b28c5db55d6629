"""Pages of the 12345 work-order adapter (names in the "exchange" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
