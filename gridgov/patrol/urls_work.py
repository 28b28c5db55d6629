"""Pages of tasks, visits and the work diary (names in the "patrol" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.patrol import views_work as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/", views.task_list, name="work_tasks"),
    path("tasks/new/", views.task_new, name="work_task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="work_task"),
    path("tasks/<int:pk>/photo/", views.task_photo, name="work_task_photo"),
    path("diary/", views.diary_list, name="work_diary"),
    path("diary/<int:pk>/review/", views.diary_review, name="work_diary_review"),
    path("diary/<int:pk>/case/", views.diary_case, name="work_diary_case"),
    path("diary/<int:pk>/media/<str:what>/", views.diary_media, name="work_diary_media"),
    path("visits/<int:pk>/voice/", views.visit_voice, name="work_visit_voice"),
    path("phone/tasks/", views.phone_tasks, name="work_phone_tasks"),
    path("phone/tasks/<int:pk>/", views.phone_task, name="work_phone_task"),
    path("phone/diary/", views.phone_diary, name="work_phone_diary"),
]
