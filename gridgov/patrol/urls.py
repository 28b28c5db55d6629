from django.urls import URLPattern, URLResolver

app_name = "patrol"
urlpatterns: list[URLPattern | URLResolver] = []
