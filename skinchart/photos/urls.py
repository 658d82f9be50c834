from django.urls import path

from skinchart.photos import views

app_name = "photos"

urlpatterns = [
    path("clients/<uuid:code>/photos/", views.client_photos, name="client"),
    path("clients/<uuid:code>/photos/new/", views.upload, name="upload"),
    path("clients/<uuid:code>/photos/capture/", views.capture, name="capture"),
    path("clients/<uuid:code>/photos/compare/", views.compare, name="compare"),
    path("photos/<uuid:code>/image/<str:variant>/", views.image, name="image"),
]
