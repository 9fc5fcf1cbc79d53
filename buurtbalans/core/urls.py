from django.urls import path

from buurtbalans.core import views

# Login and logout are in buurtbalans/accounts/urls.py (throttled, with the second step).
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("jobs/", views.jobs, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("settings/corporation/", views.corporation_settings, name="corporation_settings"),
]
