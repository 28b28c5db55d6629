from django.urls import URLPattern, URLResolver, path

from gridgov.mobile import views

app_name = "mobile"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("data/", views.data, name="data"),
    path("me/", views.me, name="me"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
