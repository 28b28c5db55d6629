"""The phone app's pages at /m/ (to-do, report, basic data, me), its web manifest and its
service worker. Pages are phone-first: a bottom tab bar, cards, 44 px targets."""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.cases.models import Category
from gridgov.mobile import queries

# Masked data only on these pages: the phone may keep a copy for offline use, but asks again.
PAGE_CACHE_CONTROL = "private, no-cache"
SHELL_STATIC = (
    "mobile/m.css",
    "mobile/outbox.js",
    "mobile/app.js",
    "mobile/report.js",
    "mobile/voice.js",
    "mobile/corrections.js",
    "mobile/visit.js",
    "mobile/visits.js",
    "mobile/icon-192.png",
    "mobile/icon-512.png",
)
MAP_STATIC = (
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
)


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    response = render(request, template, {"tab": context.pop("tab", ""), **context})
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    return response


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    items = queries.todo_items(user)
    now = timezone.now()  # an item due before it is marked overdue
    if queries.is_leader(user):  # the leader's own to-do above the figures (the badge counts it)
        context = {"tab": "todo", "items": items, "now": now, **queries.leader_cockpit(user)}
        return _page(request, "mobile/cockpit.html", context)
    return _page(request, "mobile/home.html", {"tab": "todo", "items": items, "now": now})


def _category_tree() -> list[dict]:
    """Top classes with their categories, for the icon picker and its search."""
    rows = list(
        Category.objects.filter(active=True)
        .select_related("parent")
        .order_by("code")
        .values("code", "name", "parent__code", "parent__name")
    )
    groups: dict[str, dict] = {}
    for row in rows:
        if row["parent__code"] is None:
            groups.setdefault(row["code"], {"code": row["code"], "name": row["name"], "items": []})
    for row in rows:
        parent = row["parent__code"]
        if parent is not None:
            group = groups.setdefault(
                parent, {"code": parent, "name": row["parent__name"], "items": []}
            )
            group["items"].append({"code": row["code"], "name": row["name"]})
    return [g for g in groups.values() if g["items"]]


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    grids = queries.grid_areas(request.user)
    return _page(
        request,
        "mobile/report.html",
        {
            "tab": "report",
            "categories": _category_tree(),
            "grids": [{"code": g.code, "name": g.name, "geometry": g.geometry} for g in grids],
        },
    )


@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    grids = queries.grid_areas(request.user)
    return _page(request, "mobile/data.html", {"tab": "data", "grids": grids})


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    return _page(
        request, "mobile/me.html", {"tab": "me", "stats": queries.member_stats(request.user)}
    )


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest (install-ready: name, start URL, standalone, 192 and 512 px icons)."""
    data = {
        "name": _("Grid member"),
        "short_name": _("Grid"),
        "lang": "zh-Hans",
        "start_url": reverse("mobile:home"),
        "scope": reverse("mobile:home"),
        "id": reverse("mobile:home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("mobile/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("mobile/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


@lru_cache(maxsize=1)
def _sw_source() -> str:
    return (Path(__file__).parent / "sw" / "sw.js").read_text(encoding="utf-8")


def shell_urls() -> list[str]:
    """What the service worker precaches: the static shell (pages are cached as they are seen)."""
    return [static(p) for p in SHELL_STATIC]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from /m/sw.js with `Service-Worker-Allowed: /` so it may control the
    phone pages of other parts (/patrol/phone/) too. Its version changes with the shell."""
    config = {
        "shell": shell_urls(),
        "pages": [reverse(f"mobile:{name}") for name in ("home", "report", "data", "me", "visits")],
        "offline": reverse("mobile:home"),
        # A visit page (answered no-store: the business lines' name the population category)
        # opens as the kept visit page when offline.
        "visits": reverse("mobile:visits"),
        "visit_pages": [
            reverse("patrol:work_phone_tasks"),
            reverse("lines:phone_visits"),
        ],
        "login": reverse(settings.LOGIN_URL),
        "outbox": static("mobile/outbox.js"),
        "bundle": "/api/v1/phone/bundle",
        "scopes": ["/m/", "/patrol/phone/"],
        "static": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
    }
    source = _sw_source()
    version = hashlib.sha256((json.dumps(config) + source).encode()).hexdigest()[:12]
    config["version"] = version
    body = f"const CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
