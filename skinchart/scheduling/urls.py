from django.urls import path

from skinchart.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("scheduling/day/", views.day, name="day"),
    path("clients/<uuid:code>/appointments/new/", views.book, name="book"),
    path("appointments/<uuid:code>/cancel/", views.cancel, name="cancel"),
]
