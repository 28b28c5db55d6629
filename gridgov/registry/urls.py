from django.urls import path

from gridgov.registry import transfer_views, views

app_name = "registry"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_edit, name="person_new"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/move-out/", views.person_move_out, name="person_move_out"),
    path("people/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("people/<int:pk>/tag/", views.person_tag, name="person_tag"),
    path("people/<int:pk>/visit/", views.person_visit, name="person_visit"),
    path("people/export.<str:fmt>", views.export_people, name="export_people"),
    path("key-populations/", views.key_populations, name="key_populations"),
    path("buildings/", views.buildings, name="buildings"),
    path("buildings/new/", views.building_edit, name="building_new"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("houses/<int:pk>/", views.house, name="house"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_edit, name="organization_new"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/export.<str:fmt>", views.export_organizations, name="export_organizations"),
    path("places/", views.places, name="places"),
    path("places/new/", views.place_edit, name="place_new"),
    path("places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("import/", views.import_page, name="import"),
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/decide/", transfer_views.transfer_decide, name="transfer_decide"),
    path("templates/<str:entity>.<str:fmt>", views.template, name="template"),
]
