"""Pages of client systems and Open311 (names in the "exchange" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
