from django.urls import path

from buurtbalans.history import views

urlpatterns = [
    path("steering-power/", views.steering_power, name="steering_power"),
]
