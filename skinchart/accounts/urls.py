from django.urls import path

from skinchart.accounts import staff_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.mfa_view, name="mfa"),
    path("login/setup/", views.mfa_enrol_view, name="mfa-enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("reauth/", views.reauth_view, name="reauth"),
    path("account/", views.account_view, name="account"),
    path("account/password/", views.password_change_view, name="password-change"),
    path("account/end-sessions/", views.end_sessions_view, name="end-sessions"),
    path("account/recovery-codes/", views.recovery_codes_view, name="recovery-codes"),
    path("staff/", staff_views.staff_list, name="staff-list"),
    path("staff/new/", staff_views.staff_create, name="staff-create"),
    path("staff/<uuid:code>/", staff_views.staff_detail, name="staff-detail"),
    path("staff/<uuid:code>/active/", staff_views.staff_set_active, name="staff-set-active"),
    path("staff/<uuid:code>/reset-mfa/", staff_views.staff_reset_mfa, name="staff-reset-mfa"),
    path("staff/<uuid:code>/reset-password/", staff_views.staff_reset_password, name="staff-reset-password"),
    path("staff/<uuid:code>/registrations/", staff_views.registration_add, name="registration-add"),
    path("registrations/<uuid:code>/end/", staff_views.registration_end, name="registration-end"),
]
