from django.urls import path

from gridgov.office import document_views, file_views, message_views, notice_views

app_name = "office"
urlpatterns = [
    path("", notice_views.notice_list, name="notices"),
    path("m/", notice_views.phone_home, name="phone"),
    path("notices/new/", notice_views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice"),
    path("notices/<int:pk>/ack/", notice_views.notice_ack, name="notice_ack"),
    path("notices/<int:pk>/remind/", notice_views.notice_remind, name="notice_remind"),
    path("documents/", document_views.document_list, name="documents"),
    path("documents/new/", document_views.document_new, name="document_new"),
    path("documents/deadlines/", document_views.deadlines, name="deadlines"),
    path("documents/<int:pk>/", document_views.document_detail, name="document"),
    path("documents/<int:pk>/do/<str:action>/", document_views.document_step, name="document_step"),
    path("files/<int:pk>/<str:variant>/", file_views.attachment, name="file"),
    path("messages/", message_views.inbox, name="inbox"),
    path("messages/new/", message_views.conversation_new, name="conversation_new"),
    path("messages/area/<str:code>/", message_views.channel, name="channel"),
    path("messages/<int:pk>/", message_views.conversation, name="conversation"),
    path("messages/<int:pk>/send/", message_views.send, name="send"),
]
