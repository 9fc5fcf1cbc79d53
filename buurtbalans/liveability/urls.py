from django.urls import path

from buurtbalans.liveability import views

urlpatterns = [
    path("", views.monitor_overview, name="monitor_overview"),
    path("warnings/", views.monitor_warnings, name="monitor_warnings"),
    path("refresh/", views.monitor_refresh, name="monitor_refresh"),
    path("map/", views.monitor_map, name="monitor_map"),
    path("map/data.json", views.monitor_map_data, name="monitor_map_data"),
    path("focus/", views.monitor_focus, name="monitor_focus"),
    path("complexes/<int:pk>/", views.monitor_complex, name="monitor_complex"),
    path("complexes/<int:pk>/chart.vl.json", views.monitor_complex_chart, name="monitor_complex_chart"),
    path("complexes/<int:pk>/support-needs/", views.complex_support_needs, name="monitor_support_needs"),
    path("buurten/<str:cbs_code>/", views.monitor_buurt, name="monitor_buurt"),
    path("records/", views.social_records, name="monitor_records"),
    path("records/new/<str:kind>/", views.record_new, name="monitor_record_new"),
    path("records/meeting-places/<int:pk>/", views.meeting_place_use, name="monitor_meeting_place_use"),
    path("records/import/", views.records_import, name="monitor_records_import"),
    path("records/import/<int:pk>/", views.records_import_result, name="monitor_records_import_result"),
    path("records/import/<int:pk>/confirm/", views.records_import_confirm, name="monitor_records_import_confirm"),
    path("settings/", views.monitor_settings, name="monitor_settings"),
    path("report/", views.monitor_report, name="monitor_report"),
    path("report/<int:pk>/download/", views.monitor_report_download, name="monitor_report_download"),
]
