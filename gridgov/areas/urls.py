from django.urls import path

from gridgov.areas import views

app_name = "areas"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("search/", views.search, name="search"),
    path("import/", views.import_page, name="import"),
    path("export.geojson", views.export, name="export"),
    path("<str:code>/card/", views.card, name="card"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new/", views.new_child, name="new_child"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/retire/", views.retire, name="retire"),
    path("<str:code>/boundary/", views.boundary, name="boundary"),
    path("<str:code>/history/", views.history, name="history"),
]
