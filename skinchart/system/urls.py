from django.urls import path

from skinchart.system import views

app_name = "system"

urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
