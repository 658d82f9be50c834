from django.urls import path

from skinchart.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue_list, name="list"),
    path("treatments/<slug:treatment>/", views.treatment_detail, name="treatment"),
    path("versions/<uuid:code>/", views.version_detail, name="version"),
    path("versions/<uuid:code>/approve/", views.version_approve, name="approve"),
    path("versions/<uuid:code>/diff/", views.version_diff, name="diff"),
]
