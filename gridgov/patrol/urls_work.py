"""Pages of tasks, visits and the work diary (names in the "patrol" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
