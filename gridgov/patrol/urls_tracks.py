"""Pages of patrols, positions, tracks, coverage and the live map ("patrol" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.patrol import views_tracks as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tracks/", views.track_page, name="tracks"),
    path("coverage/<str:code>/", views.coverage_page, name="coverage"),
    path("live/", views.live_page, name="live"),
    path("phone/", views.phone_page, name="phone"),
    path("phone/track/", views.phone_track_page, name="phone_track"),
    path("phone/coverage/", views.phone_coverage_page, name="phone_coverage"),
    path("tracker/", views.tracker_page, name="tracker"),
    path("tracker/<int:pk>/revoke/", views.tracker_revoke, name="tracker_revoke"),
]
