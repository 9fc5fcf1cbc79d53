from django.urls import path

from buurtbalans.rules import views

urlpatterns = [
    path("compliance/", views.compliance, name="rules_compliance"),
    path("compliance/report/", views.compliance_report_start, name="rules_compliance_report"),
    path(
        "compliance/report/<int:pk>/download/",
        views.compliance_report_download,
        name="rules_compliance_report_download",
    ),
    path("parameters/", views.parameter_list, name="rules_parameters"),
    path("parameters/new/", views.parameter_new, name="rules_parameter_new"),
    path("parameters/upload/", views.parameter_upload, name="rules_parameter_upload"),
    path("parameters/confirm/", views.parameter_confirm, name="rules_parameter_confirm"),
    path("own-parameters/", views.local_parameter_list, name="rules_local_parameters"),
    path("own-parameters/<int:pk>/", views.local_parameter_edit, name="rules_local_parameter_edit"),
    path("own-parameters/<int:pk>/remove/", views.local_parameter_remove, name="rules_local_parameter_remove"),
    path("parameters/<str:valid_from>/", views.parameter_set, name="rules_parameter_set"),
    path("parameters/<str:valid_from>/<str:key>/remove/", views.parameter_remove, name="rules_parameter_remove"),
    path("agreements/", views.agreement_list, name="rules_agreements"),
    path("agreements/<int:pk>/", views.agreement_edit, name="rules_agreement_edit"),
    path("agreements/<int:pk>/delete/", views.agreement_delete, name="rules_agreement_delete"),
    path("motivation-caps/", views.motivation_cap_list, name="rules_motivation_caps"),
    path("motivation-caps/<int:pk>/", views.motivation_cap_edit, name="rules_motivation_cap_edit"),
    path("motivation-caps/<int:pk>/delete/", views.motivation_cap_delete, name="rules_motivation_cap_delete"),
]
