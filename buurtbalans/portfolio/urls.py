from django.urls import path

from buurtbalans.portfolio import views

urlpatterns = [
    path("import/", views.import_upload, name="portfolio_import"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="portfolio_import_confirm"),
]
