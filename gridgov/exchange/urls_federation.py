from django.urls import path

from gridgov.exchange import views_federation

urlpatterns = [
    path("federation/", views_federation.federation_page, name="federation"),
    path("federation/tasks/", views_federation.tasks_from_above_page, name="federation-tasks"),
    path(
        "federation/members/<int:member_id>/signing/",
        views_federation.member_signing_page,
        name="federation-signing",
    ),
    path(
        "federation/assessment/",
        views_federation.assessment_page,
        name="federation-assessment",
    ),
    path(
        "federation/tasks/<int:task_id>/assign/",
        views_federation.assign_task_page,
        name="federation-assign",
    ),
    path(
        "federation/cases/<int:case_id>/reveal/",
        views_federation.reveal_page,
        name="federation-reveal",
    ),
]
