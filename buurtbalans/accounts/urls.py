from django.urls import path

from buurtbalans.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/code/", views.mfa_verify, name="accounts_mfa_verify"),
    path("login/setup/", views.mfa_setup, name="accounts_mfa_setup"),
    path("account/two-step/", views.mfa_manage, name="accounts_mfa_manage"),
    path("account/password/", views.password_change, name="password_change"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("settings/users/", views.user_list, name="accounts_user_list"),
    path("settings/users/new/", views.user_create, name="accounts_user_create"),
    path("settings/users/<int:user_id>/", views.user_detail, name="accounts_user_detail"),
    path("settings/users/<int:user_id>/active/", views.user_active, name="accounts_user_active"),
    path("settings/users/<int:user_id>/two-step/", views.user_mfa_reset, name="accounts_user_mfa_reset"),
    path("settings/users/<int:user_id>/password-link/", views.user_password_link, name="accounts_user_password_link"),
]
