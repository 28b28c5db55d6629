from django.urls import URLPattern, URLResolver, path

from gridgov.mobile import views, views_cases, views_corrections, visits

app_name = "mobile"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("data/", views.data, name="data"),
    path("me/", views.me, name="me"),
    path("visits/", visits.visits, name="visits"),
    path("cases/<int:pk>/", views_cases.case, name="case"),
    path("data/households/<int:pk>/", views_corrections.household, name="household"),
    path("conflicts/", views_corrections.conflicts, name="conflicts"),
    path("desk/conflicts/", views_corrections.desk_conflicts, name="desk_conflicts"),
    path("conflicts/<uuid:pk>/resolve/", views_corrections.resolve, name="conflict_resolve"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
