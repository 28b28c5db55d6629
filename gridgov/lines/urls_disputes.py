"""Pages of disputes, mediation, hazard inspection and rectification ("lines" namespace)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.lines import views_disputes as v
from gridgov.lines import views_disputes_forms as vf
from gridgov.lines import views_disputes_phone as vm
from gridgov.lines import views_hazards as vh
from gridgov.lines import views_plans

urlpatterns: list[URLPattern | URLResolver] = [
    path("disputes/", v.dispute_list, name="disputes"),
    path("disputes/export.<str:fmt>", v.export_disputes, name="export_disputes"),
    path("disputes/new/", vf.dispute_new, name="dispute_new"),
    path("disputes/parties/", vf.dispute_parties, name="dispute_parties"),
    path("disputes/from-case/<int:case_pk>/", vf.dispute_from_case, name="dispute_from_case"),
    path("disputes/<int:pk>/", v.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/do/<slug:step>/", vf.dispute_step, name="dispute_step"),
    path("disputes/<int:pk>/agreement.pdf", v.agreement, name="agreement"),
    path("screenings/", v.screening_list, name="screenings"),
    path("hazards/", v.hazard_list, name="hazards"),
    path("hazards/export.<str:fmt>", v.export_hazards, name="export_hazards"),
    path("hazards/supervision/", vh.supervision_list, name="hazard_supervision"),
    path("hazards/<int:pk>/", vh.hazard_detail, name="hazard"),
    path("hazards/<int:pk>/do/<slug:step>/", vh.hazard_step, name="hazard_step"),
    path("hazards/<int:pk>/notice.pdf", v.hazard_notice, name="hazard_notice"),
    path("hazards/plans/", views_plans.plan_list, name="inspection_plans"),
    path("hazards/plans/new/", views_plans.plan_edit, name="inspection_plan_new"),
    path("hazards/plans/<int:pk>/", views_plans.plan_edit, name="inspection_plan"),
    path("board/", v.board, name="board"),
    path("m/screening/", v.m_screening, name="m_screening"),
    path("m/disputes/", vm.m_disputes, name="m_disputes"),
    path("m/disputes/new/", vm.m_dispute_new, name="m_dispute_new"),
    path("m/disputes/<int:pk>/", vm.m_dispute, name="m_dispute"),
    path("m/inspect/<int:pk>/", v.m_inspect, name="m_inspect"),
]
