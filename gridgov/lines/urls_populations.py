"""Pages of special populations and rental housing (names in the "lines" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.lines import views_ledgers as ledgers
from gridgov.lines import views_populations as views
from gridgov.lines import views_populations_forms as forms

urlpatterns: list[URLPattern | URLResolver] = [
    path("populations/", views.records, name="populations"),
    path("populations/new/", forms.record_new, name="population_new"),
    path("populations/<int:pk>/edit/", forms.record_edit, name="population_edit"),
    path("populations/export/", views.export_records, name="populations_export"),
    path("populations/settings/", views.population_settings, name="population_settings"),
    path("populations/<int:pk>/", views.record, name="population_record"),
    path("populations/visits/<int:pk>/voice/", views.visit_voice, name="population_visit_voice"),
    path("ledger-warnings/", views.ledger_warnings, name="ledger_warnings"),
    path("rentals/", views.rental_list, name="rentals"),
    path("rentals/new/", forms.rental_new, name="rental_new"),
    path("rentals/export.<str:fmt>", ledgers.export_rentals, name="export_rentals"),
    path("rentals/<int:pk>/", views.rental, name="rental"),
    path("rentals/<int:pk>/edit/", forms.rental_edit, name="rental_edit"),
    path("foreigners/", views.foreigners, name="foreigners"),
    path("foreigners/new/", forms.foreigner_new, name="foreigner_new"),
    path("foreigners/<int:pk>/edit/", forms.foreigner_edit, name="foreigner_edit"),
    path("foreigners/export.<str:fmt>", ledgers.export_foreigners, name="export_foreigners"),
    path("screenings/export.<str:fmt>", ledgers.export_screenings, name="export_screenings"),
    path("m/visits/", views.phone_visits, name="phone_visits"),
    path("m/visits/<int:pk>/", views.phone_visit, name="phone_visit"),
]
