"""Pages of disputes, mediation, hazard inspection and rectification ("lines" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.lines import views_disputes as v
from gridgov.lines import views_plans

urlpatterns: list[URLPattern | URLResolver] = [
    path("disputes/", v.dispute_list, name="disputes"),
    path("disputes/export.<str:fmt>", v.export_disputes, name="export_disputes"),
    path("disputes/<int:pk>/", v.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/agreement.pdf", v.agreement, name="agreement"),
    path("screenings/", v.screening_list, name="screenings"),
    path("hazards/", v.hazard_list, name="hazards"),
    path("hazards/export.<str:fmt>", v.export_hazards, name="export_hazards"),
    path("hazards/<int:pk>/notice.pdf", v.hazard_notice, name="hazard_notice"),
    path("hazards/plans/", views_plans.plan_list, name="inspection_plans"),
    path("hazards/plans/new/", views_plans.plan_edit, name="inspection_plan_new"),
    path("hazards/plans/<int:pk>/", views_plans.plan_edit, name="inspection_plan"),
    path("board/", v.board, name="board"),
    path("m/screening/", v.m_screening, name="m_screening"),
    path("m/inspect/<int:pk>/", v.m_inspect, name="m_inspect"),
]
