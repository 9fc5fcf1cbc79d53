from django.urls import path

from buurtbalans.neighbourhoods import views

urlpatterns = [
    path("", views.neighbourhood_list, name="neighbourhood_list"),
    path("<str:cbs_code>/", views.neighbourhood_detail, name="neighbourhood_detail"),
]
