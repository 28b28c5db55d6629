from django.urls import URLPattern, URLResolver

from gridgov.patrol.urls_tracks import urlpatterns as tracks_urls
from gridgov.patrol.urls_work import urlpatterns as work_urls

app_name = "patrol"
urlpatterns: list[URLPattern | URLResolver] = [*tracks_urls, *work_urls]
