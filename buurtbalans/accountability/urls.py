from django.urls import path

from buurtbalans.accountability import views

urlpatterns = [
    path("", views.accountability_home, name="accountability_home"),
    path("objections/", views.objection_list, name="accountability_objections"),
    path("objections/new/", views.objection_new, name="accountability_objection_new"),
    path("objections/<int:pk>/", views.objection_detail, name="accountability_objection"),
    path("follow-ups/", views.follow_up_list, name="accountability_follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up_new, name="accountability_follow_up_new"),
]
