from django.urls import path

from gridgov.notify import gateway_views, sms_views, views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read_all, name="read_all"),
    path("sms/dlr/<int:message_id>/", gateway_views.delivery_report, name="sms_dlr"),
    path("sms/inbound/", gateway_views.inbound, name="sms_inbound"),
    path("sms/", sms_views.folder, name="sms"),
    path("sms/compose/", sms_views.compose, name="sms_compose"),
    path("sms/compose/<int:pk>/", sms_views.compose, name="sms_draft"),
    path("sms/preview/", sms_views.preview, name="sms_preview"),
    path("sms/<int:pk>/", sms_views.batch_detail, name="sms_batch"),
    path("sms/<int:pk>/<str:action>/", sms_views.batch_file, name="sms_file"),
    path("sms/templates/", sms_views.templates, name="sms_templates"),
    path("sms/templates/<int:pk>/decide/", sms_views.template_decide, name="sms_template_decide"),
    path("sms/groups/", sms_views.groups, name="sms_groups"),
    path("sms/groups/<int:pk>/", sms_views.group_detail, name="sms_group"),
    path("sms/optout/", sms_views.opt_outs, name="sms_optout"),
    path("sms/optout/<int:pk>/remove/", sms_views.opt_out_remove, name="sms_optout_remove"),
    path("sms/stats/", sms_views.statistics, name="sms_stats"),
    path("sms/log/", sms_views.log, name="sms_log"),
    path("sms/log/<int:pk>/", sms_views.log_detail, name="sms_message"),
]
