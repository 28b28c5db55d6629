from django.urls import path

from gridgov.notify import gateway_views, views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read_all, name="read_all"),
    path("sms/dlr/<int:message_id>/", gateway_views.delivery_report, name="sms_dlr"),
    path("sms/inbound/", gateway_views.inbound, name="sms_inbound"),
]
