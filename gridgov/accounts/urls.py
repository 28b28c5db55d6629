from django.contrib.auth import views as auth_views
from django.urls import path

from gridgov.accounts import department_views, twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("departments/", department_views.department_list, name="department_list"),
    path("departments/new/", department_views.department_new, name="department_new"),
    path(
        "departments/<int:department_id>/",
        department_views.department_edit,
        name="department_edit",
    ),
    path("account/", views.account, name="account"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("2fa/", twofactor_views.two_factor, name="two_factor"),
    path("2fa/verify/", twofactor_views.two_factor_verify, name="two_factor_verify"),
    path(
        "2fa/recovery-codes/",
        twofactor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "users/<int:user_id>/2fa-reset/",
        twofactor_views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
]
