from django.urls import path

from buurtbalans.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy_home"),
    path("households/<int:pk>/access/", views.household_access, name="privacy_household_access"),
    path("households/<int:pk>/erase/", views.household_erase_view, name="privacy_household_erase"),
]
