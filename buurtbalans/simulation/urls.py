from django.urls import path

from buurtbalans.simulation import views

urlpatterns = [
    path("", views.study_list, name="simulation_studies"),
    path("new/", views.study_new, name="simulation_study_new"),
    path("compare/", views.compare, name="simulation_compare"),
    path("<int:pk>/", views.study_detail, name="simulation_study"),
    path("<int:pk>/run/", views.study_run, name="simulation_study_run"),
    path("<int:pk>/copy/", views.study_copy, name="simulation_study_copy"),
    path("<int:pk>/delete/", views.study_delete, name="simulation_study_delete"),
    path("<int:pk>/complexes/", views.study_upload, name="simulation_study_upload"),
    path("<int:pk>/results/", views.study_results, name="simulation_study_results"),
    path("<int:pk>/report.pdf", views.study_report, name="simulation_study_report"),
]
