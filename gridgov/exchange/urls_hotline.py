"""Pages of the 12345 work-order adapter and of classification (names in the "exchange"
namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.exchange import views_classify, views_hotline

urlpatterns: list[URLPattern | URLResolver] = [
    path("classify/", views_classify.admin_page, name="classify"),
    path("classify/cases/<int:pk>/", views_classify.case_suggestion, name="case_suggestion"),
    path("hotline/<int:pk>/", views_hotline.order_page, name="hotline_order"),
]
