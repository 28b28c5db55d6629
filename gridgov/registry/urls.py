from django.urls import path

from gridgov.registry import edit_views, transfer_views, views

app_name = "registry"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", edit_views.PersonEdit.as_view(), name="person_new"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", edit_views.PersonEdit.as_view(), name="person_edit"),
    path("people/<int:pk>/move-out/", views.person_move_out, name="person_move_out"),
    path("people/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("people/<int:pk>/tag/", edit_views.KeyPopulationTag.as_view(), name="person_tag"),
    path("people/<int:pk>/visit/", views.person_visit, name="person_visit"),
    path("people/export.<str:fmt>", views.export_people, name="export_people"),
    path("key-populations/", views.key_populations, name="key_populations"),
    path("buildings/", views.buildings, name="buildings"),
    path("buildings/new/", edit_views.BuildingEdit.as_view(), name="building_new"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/edit/", edit_views.BuildingEdit.as_view(), name="building_edit"),
    path("houses/<int:pk>/", edit_views.HouseEdit.as_view(), name="house"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", edit_views.OrganizationEdit.as_view(), name="organization_new"),
    path(
        "organizations/<int:pk>/edit/",
        edit_views.OrganizationEdit.as_view(),
        name="organization_edit",
    ),
    path("organizations/export.<str:fmt>", views.export_organizations, name="export_organizations"),
    path("places/", views.places, name="places"),
    path("places/new/", edit_views.PlaceEdit.as_view(), name="place_new"),
    path("places/<int:pk>/edit/", edit_views.PlaceEdit.as_view(), name="place_edit"),
    path("import/", views.import_page, name="import"),
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/decide/", transfer_views.transfer_decide, name="transfer_decide"),
    path("templates/<str:entity>.<str:fmt>", views.template, name="template"),
]
