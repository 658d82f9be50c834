from django.urls import path

from skinchart.guides import views

app_name = "guides"

urlpatterns = [
    path("guides/<uuid:code>/", views.guide_detail, name="detail"),
    path("guides/<uuid:code>/edit/", views.guide_edit, name="edit"),
    path("guides/versions/<uuid:code>/", views.version_detail, name="version"),
    path("guides/versions/<uuid:code>/pdf/", views.version_pdf, name="version-pdf"),
    path("guides/versions/<uuid:code>/approve/", views.version_approve, name="approve"),
    path("guides/versions/<uuid:code>/diff/", views.version_diff, name="diff"),
    path("guides/links/<uuid:code>/revoke/", views.link_revoke, name="link-revoke"),
    path("clients/<uuid:code>/information/", views.client_information, name="client-information"),
    path("g/<str:token>/", views.public_guide, name="public"),
    path("g/<str:token>/pdf/", views.public_guide_pdf, name="public-pdf"),
]
