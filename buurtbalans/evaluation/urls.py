from django.urls import path

from buurtbalans.evaluation import views

urlpatterns = [
    path("interventions/", views.intervention_list, name="evaluation_interventions"),
    path("interventions/new/", views.intervention_new, name="evaluation_intervention_new"),
    path("interventions/<int:pk>/", views.intervention_edit, name="evaluation_intervention_edit"),
    path("interventions/<int:pk>/end/", views.intervention_end, name="evaluation_intervention_end"),
    path("interventions/import/", views.intervention_import, name="evaluation_interventions_import"),
    path("", views.evaluation_page, name="evaluation_evaluate"),
]
