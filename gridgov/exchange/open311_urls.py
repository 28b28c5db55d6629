"""Open311 GeoReport v2 under /open311/v2/ (every endpoint in .json and .xml)."""

from django.urls import URLPattern, URLResolver, path, register_converter

from gridgov.exchange.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "o311fmt")

urlpatterns: list[URLPattern | URLResolver] = [
    path("discovery.<o311fmt:fmt>", views.discovery, name="open311-discovery"),
    path("services.<o311fmt:fmt>", views.services, name="open311-services"),
    path(
        "services/<str:service_code>.<o311fmt:fmt>",
        views.service_definition,
        name="open311-service",
    ),
    path("requests.<o311fmt:fmt>", views.requests, name="open311-requests"),
    path(
        "requests/<str:service_request_id>.<o311fmt:fmt>",
        views.one_request,
        name="open311-request",
    ),
    path("tokens/<str:token_id>.<o311fmt:fmt>", views.token, name="open311-token"),
]
