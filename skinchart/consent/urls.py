from django.urls import path

from skinchart.consent import views

app_name = "consent"

urlpatterns = [
    path("plans/<uuid:code>/consent/", views.plan_consent, name="plan"),
    path("plans/<uuid:code>/consent/oral/", views.oral_consent, name="oral"),
    path("plans/<uuid:code>/consent/kiosk/", views.kiosk_start, name="kiosk-start"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/unlock/", views.kiosk_unlock, name="kiosk-unlock"),
    path("consents/<uuid:code>/", views.consent_detail, name="detail"),
    path("consents/<uuid:code>/pdf/", views.consent_pdf, name="pdf"),
    path("consents/<uuid:code>/withdraw/", views.withdraw, name="withdraw"),
    path("clients/<uuid:code>/consents/", views.client_consents, name="client"),
    path("clients/<uuid:code>/consents/photos/", views.photo_consent, name="photo"),
]
