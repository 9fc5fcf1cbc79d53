from django.urls import path

from buurtbalans.households import views

urlpatterns = [
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/markers/", views.household_markers, name="household_markers"),
]

# The administrator's kinds of marker, a setting like the users (/settings/users/): mounted under /settings/.
marker_kind_urlpatterns = [
    path("", views.marker_kinds, name="marker_kind_list"),
    path("<int:pk>/", views.marker_kind_detail, name="marker_kind_detail"),
    path("<int:pk>/active/", views.marker_kind_active, name="marker_kind_active"),
    path("<int:pk>/delete/", views.marker_kind_delete, name="marker_kind_delete"),
]
