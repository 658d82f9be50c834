from django.urls import path

from skinchart.sessions import aftercare_views, views

app_name = "treatment_sessions"

urlpatterns = [
    path("appointments/<uuid:code>/session/", views.open_from_appointment, name="open"),
    path("sessions/<uuid:code>/", views.detail, name="detail"),
    path("sessions/<uuid:code>/reconfirm/", views.reconfirm, name="reconfirm"),
    path("sessions/<uuid:code>/photo/", views.photo, name="photo"),
    path("sessions/<uuid:code>/guide-override/", views.guide_override, name="guide_override"),
    path("sessions/<uuid:code>/start/", views.start, name="start"),
    path("sessions/<uuid:code>/checklist/", views.checklist, name="checklist"),
    path("sessions/<uuid:code>/products/", views.add_product, name="add_product"),
    path("sessions/<uuid:code>/products/<uuid:use>/remove/", views.remove_product, name="remove_product"),
    path("sessions/<uuid:code>/sign/", views.sign, name="sign"),
    path("sessions/<uuid:code>/stop/", views.stop, name="stop"),
    path("sessions/<uuid:code>/aftercare.pdf", aftercare_views.aftercare_pdf, name="aftercare_pdf"),
    path("sessions/<uuid:code>/aftercare.ics", aftercare_views.aftercare_ics, name="aftercare_ics"),
]
