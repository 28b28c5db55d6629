from django.urls import path

from gridgov.warnings import views

app_name = "warnings"
urlpatterns = [
    path("", views.warning_list, name="list"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("active/", views.active_partial, name="active"),
    path("import/", views.cap_import, name="import"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/ack/", views.acknowledge, name="ack"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/cap.xml", views.cap_export, name="cap"),
]
