"""Pages of special populations and rental housing (names in the "lines" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
