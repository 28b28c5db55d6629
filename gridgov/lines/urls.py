from django.urls import URLPattern, URLResolver

from gridgov.lines.urls_disputes import urlpatterns as disputes_urls
from gridgov.lines.urls_populations import urlpatterns as populations_urls

app_name = "lines"
urlpatterns: list[URLPattern | URLResolver] = [*disputes_urls, *populations_urls]
