from django.urls import path

from buurtbalans.placements import views

urlpatterns = [
    path("", views.proposals, name="placements_proposals"),
    path("vacancies/<int:pk>/", views.placement_new, name="placements_place"),
    path("placed/", views.placed, name="placements_placed"),
    path("contingents/", views.contingents, name="placements_contingents"),
    path("intakes/", views.intakes, name="placements_intakes"),
    path("intakes/new/", views.intake_new, name="placements_intake_new"),
    path("intakes/<int:pk>/", views.intake_detail, name="placements_intake"),
]
