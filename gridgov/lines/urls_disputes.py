"""Pages of disputes, mediation, hazard inspection and rectification ("lines" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
