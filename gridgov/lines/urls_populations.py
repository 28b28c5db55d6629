"""Pages of special populations and rental housing (names in the "lines" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.lines import views_populations as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("populations/", views.records, name="populations"),
    path("populations/export/", views.export_records, name="populations_export"),
    path("populations/settings/", views.population_settings, name="population_settings"),
    path("populations/<int:pk>/", views.record, name="population_record"),
    path("ledger-warnings/", views.ledger_warnings, name="ledger_warnings"),
    path("rentals/", views.rental_list, name="rentals"),
    path("rentals/<int:pk>/", views.rental, name="rental"),
    path("foreigners/", views.foreigners, name="foreigners"),
    path("m/visits/", views.phone_visits, name="phone_visits"),
    path("m/visits/<int:pk>/", views.phone_visit, name="phone_visit"),
]
