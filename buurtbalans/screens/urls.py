from django.urls import path

from buurtbalans.screens import buurt_page, complex_page, overview

# The paths and names the pages had in their apps, so links and bookmarks keep working.
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("stock/complexes/<int:pk>/", complex_page.complex_detail, name="complex_detail"),
    path("neighbourhoods/", buurt_page.neighbourhood_list, name="neighbourhood_list"),
    path("neighbourhoods/<str:cbs_code>/", buurt_page.neighbourhood_detail, name="neighbourhood_detail"),
]
