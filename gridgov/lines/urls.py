from django.urls import URLPattern, URLResolver

app_name = "lines"
urlpatterns: list[URLPattern | URLResolver] = []
