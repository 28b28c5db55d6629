from django.urls import URLPattern, URLResolver, path

from gridgov.portal import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("code/", views.send_code, name="code"),
    path("r/<str:number>/", views.status, name="status"),
    path("mine/", views.mine, name="mine"),
    path("forget/", views.forget, name="forget"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("reports/", views.reports, name="reports"),
    path("stats/", views.stats, name="stats"),
    path("feed/<str:code>.atom", views.feed, name="feed"),
    path("photo/<str:number>/<int:index>/", views.photo, name="photo"),
    path("grid/", views.grid, name="grid"),
    path("grid/<str:code>/qr.svg", views.grid_qr, name="grid_qr"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:pk>/", views.moderate_one, name="moderate"),
]
