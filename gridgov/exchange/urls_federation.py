from django.urls import path

from gridgov.exchange import views_federation

urlpatterns = [
    path("federation/", views_federation.federation_page, name="federation"),
    path(
        "federation/cases/<int:case_id>/reveal/",
        views_federation.reveal_page,
        name="federation-reveal",
    ),
]
