"""The URLconf of a public instance (`GRIDGOV_ROLE=public`, docs/portal.md): only the citizen
side. The portal's pages (not the staff's moderation), its public JSON (not the core's relay
endpoints), the language switch and /healthz; everything else — staff login, desk pages, the
registry, the staff API — is not there at all, so it answers 404. Open311 is served: its POSTs
are queued and relayed to the core like reports, its reads answer from the relayed copies."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import URLPattern, URLResolver, include, path

from gridgov.api import api
from gridgov.portal import urls as portal_urls
from gridgov.portal import views
from gridgov.portal.health import healthz

STAFF_ONLY = {"moderation", "moderate"}


def _public_api() -> list[URLPattern | URLResolver]:
    patterns, _app, _namespace = api.urls
    return [
        p
        for p in patterns
        if str(getattr(p, "pattern", "")).startswith("portal/")
        and not str(p.pattern).startswith("portal/relay")
    ]


def _public_portal() -> list[URLPattern | URLResolver]:
    return [p for p in portal_urls.urlpatterns if getattr(p, "name", None) not in STAFF_ONLY]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((_public_api(), "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("gridgov.exchange.open311_urls")),
    path("portal/", include((_public_portal(), "portal"), namespace="portal")),
]
handler403 = "gridgov.errors.forbidden"
handler404 = "gridgov.errors.not_found"
handler500 = "gridgov.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
