"""Pages of the data catalogue, its applications and the exchange log ("exchange" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.exchange import views_catalogue as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path(
        "catalogue/applications/<int:pk>/decide/",
        views.decide_application,
        name="catalogue_decide",
    ),
    path("catalogue/keys/", views.recipient_keys, name="catalogue_keys"),
    path("catalogue/log/", views.exchange_log, name="exchange_log"),
]
