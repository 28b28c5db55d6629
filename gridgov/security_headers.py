"""Response headers that keep a browser from running injected script and from keeping copies of
personal data: a Content-Security-Policy on every answer, and `Cache-Control: no-store` on every
answer made for a signed-in user or a token (pages with revealed data, exports, the API)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _tile_origin(url: str) -> str | None:
    """The origin of a tile URL template, with `{s}` subdomains as a wildcard host part."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = ".".join("*" if "{" in label else label for label in parts.netloc.split("."))
    if "{" in host:  # a template elsewhere in the host than a whole label
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    """The policy: scripts only from our own static files (no inline script, no eval), styles from
    our files plus the inline styles Leaflet and ECharts set, images from here and the basemap."""
    tiles = [
        origin
        for origin in (
            _tile_origin(settings.GRIDGOV_TILE_URL),
            _tile_origin(settings.GRIDGOV_LABEL_TILE_URL),
        )
        if origin
    ]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],  # voice notes: the recording played back before sending
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            # What a person or machine sees while signed in may hold personal data: no copy in
            # the browser's or a proxy's cache. (Photos set their own private caching.)
            response.setdefault("Cache-Control", "no-store")
        return response
