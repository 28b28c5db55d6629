from django.urls import URLPattern, URLResolver

app_name = "mobile"
urlpatterns: list[URLPattern | URLResolver] = []
