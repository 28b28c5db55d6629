from django.urls import path

from gridgov.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rankings/", views.rankings, name="rankings"),
    path("cases/", views.drill, name="drill"),
    path("cards/", views.cards, name="cards"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:area>/<str:month>/", views.report, name="report"),
    path("reports/<str:area>/<str:month>/publish/", views.publish, name="publish"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/<str:code>/", views.scheme_edit, name="scheme_edit"),
]
