from django.urls import path

from buurtbalans.households import views

urlpatterns = [
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/markers/", views.household_markers, name="household_markers"),
]
