"""Pages of client systems ("exchange" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.exchange import views_clients as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/", views.client_list, name="clients"),
    path("clients/<int:pk>/", views.client_detail, name="client"),
    path("clients/<int:pk>/rotate/", views.client_rotate, name="client_rotate"),
    path("clients/<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
    path("clients/<int:pk>/endpoints/", views.client_endpoint, name="client_endpoint"),
]
