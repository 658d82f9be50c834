from django.urls import path

from skinchart.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<uuid:code>/", views.client_detail, name="detail"),
    path("<uuid:code>/edit/", views.client_edit, name="edit"),
    path("<uuid:code>/cpr/", views.client_reveal_cpr, name="reveal-cpr"),
    path("<uuid:code>/clinical/", views.client_clinical, name="clinical"),
]
