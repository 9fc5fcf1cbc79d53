from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from buurtbalans.core import views

urlpatterns = [
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.overview, name="overview"),
    path("audit/", views.audit_log, name="audit_log"),
    path("jobs/", views.jobs, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("settings/corporation/", views.corporation_settings, name="corporation_settings"),
]
