from django.urls import path

from buurtbalans.steering import views

urlpatterns = [
    path("", views.concentration, name="steering_concentration"),
    path("vacancies/", views.vacancies, name="steering_vacancies"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="steering_vacancy"),
    path("vacancies/<int:pk>/listing/", views.vacancy_listing, name="steering_vacancy_listing"),
    path("profiles/", views.profiles, name="steering_profiles"),
    path("profiles/default/", views.profile_default, name="steering_profile_default"),
    path("profiles/complexes/<int:pk>/", views.profile_edit, name="steering_profile_edit"),
    path("categories/", views.categories, name="steering_categories"),
    path("plans/", views.plans, name="steering_plans"),
    path("plans/new/", views.plan_new, name="steering_plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="steering_plan"),
    path("plans/<int:pk>/complexes/", views.plan_complexes, name="steering_plan_complexes"),
    path("plans/<int:pk>/result.json", views.plan_result, name="steering_plan_result"),
    path("roles/", views.roles, name="steering_roles"),
    path("roles/<int:pk>/end/", views.role_end, name="steering_role_end"),
]
