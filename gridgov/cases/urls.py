from django.urls import path

from gridgov.cases import calendar_views, settings_views, views, whistle_views

app_name = "cases"
urlpatterns = [
    path("", views.queue_list, name="queue"),
    path("report/", views.report, name="report"),
    path("hotline/", views.hotline, name="hotline"),
    path("map/", views.case_map, name="map"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.case_action, name="action"),
    path("<int:pk>/rating/", views.rate, name="rate"),
    path("<int:pk>/whistle/", whistle_views.blow, name="whistle"),
    path("<int:pk>/report-in/", whistle_views.report_in, name="report_in"),
    path("photos/<int:pk>/<str:variant>/", views.attachment, name="attachment"),
    path("voice/<int:pk>/", views.voice_note, name="voice_note"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/day/", calendar_views.calendar_day, name="calendar_day"),
    path("calendar/notice/", calendar_views.calendar_notice, name="calendar_notice"),
    path("settings/classes/", settings_views.category_list, name="settings_categories"),
    path("settings/classes/<str:code>/", settings_views.category_edit, name="settings_category"),
    path("settings/classes/<str:code>/limits/", settings_views.limit_save, name="settings_limit"),
    path(
        "settings/classes/<str:code>/grades/", settings_views.grade_rule_save, name="settings_grade"
    ),
    path(
        "settings/rules/<str:kind>/<int:pk>/delete/",
        settings_views.rule_delete,
        name="settings_rule_delete",
    ),
    path("settings/routing/", settings_views.routing, name="settings_routing"),
]
