from django.urls import path

from gridgov.exchange import views_federation

urlpatterns = [
    path("federation/", views_federation.federation_page, name="federation"),
]
