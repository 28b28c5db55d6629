from django.urls import path

from gridgov.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("export.xlsx", views.export, name="export"),
    path("foreign/", views.foreign, name="foreign"),
]
