from django.urls import path

from buurtbalans.portfolio import views

urlpatterns = [
    path("complexes/<int:pk>/", views.complex_detail, name="complex_detail"),
    path("import/", views.import_upload, name="portfolio_import"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="portfolio_import_confirm"),
]
