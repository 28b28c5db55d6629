from django.urls import path

from gridgov.jobs import views

app_name = "jobs"
urlpatterns = [path("<int:job_id>/", views.job_progress, name="progress")]
