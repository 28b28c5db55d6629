from django.urls import path

from gridgov.audit import views

app_name = "audit"
urlpatterns = [
    path("changes/", views.changes, name="changes"),
    path("access/", views.accesses, name="access"),
]
