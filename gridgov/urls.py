from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from gridgov.accounts.home import home
from gridgov.api import api
from gridgov.portal.health import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("areas/", include("gridgov.areas.urls")),
    path("jobs/", include("gridgov.jobs.urls")),
    path("audit/", include("gridgov.audit.urls")),
    path("notify/", include("gridgov.notify.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("registry/", include("gridgov.registry.urls")),
    path("assessment/", include("gridgov.assessment.urls")),
    path("cockpit/", include("gridgov.dashboard.urls")),
    path("warnings/", include("gridgov.warnings.urls")),
    path("office/", include("gridgov.office.urls")),
    path("patrol/", include("gridgov.patrol.urls")),
    path("m/", include("gridgov.mobile.urls")),
    path("lines/", include("gridgov.lines.urls")),
    path("portal/", include("gridgov.portal.urls")),
    path("exchange/", include("gridgov.exchange.urls")),
    path("open311/v2/", include("gridgov.exchange.open311_urls")),
]
handler403 = "gridgov.errors.forbidden"
handler404 = "gridgov.errors.not_found"
handler500 = "gridgov.errors.server_error"

if settings.GRIDGOV_BENCH_BARE:
    from gridgov.cases.benchmark import urlpatterns as bench_patterns

    urlpatterns += bench_patterns
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
