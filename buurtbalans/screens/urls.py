from django.urls import path

from buurtbalans.screens import buurt_page, complex_page, home, overview

# The paths and names the pages had in their apps, so links and bookmarks keep working.
urlpatterns = [
    path("", home.home, name="home"),
    # The stock overview was the home page until the work list took its place (issue 14 item 1).
    path("stock/", overview.overview, name="stock_overview"),
    path("stock/complexes/<int:pk>/", complex_page.complex_detail, name="complex_detail"),
    path("neighbourhoods/", buurt_page.neighbourhood_list, name="neighbourhood_list"),
    path("neighbourhoods/<str:cbs_code>/", buurt_page.neighbourhood_detail, name="neighbourhood_detail"),
]
