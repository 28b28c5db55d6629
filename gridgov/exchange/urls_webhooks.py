"""Pages of webhook endpoints ("exchange" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.exchange import views_webhooks as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/", views.endpoint_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="webhook"),
    path("webhooks/<int:pk>/active/", views.endpoint_active, name="webhook_active"),
    path("webhooks/<int:pk>/replay/", views.endpoint_replay, name="webhook_replay"),
]
