"""Pages of patrols, positions, tracks, coverage and the live map ("patrol" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
