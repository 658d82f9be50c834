from django.urls import path

from skinchart.consultations import views

app_name = "consultations"

urlpatterns = [
    path("clients/<uuid:code>/consultations/", views.client_consultations, name="client"),
    path("clients/<uuid:code>/consultations/new/", views.consultation_create, name="create"),
    path("consultations/assessments/", views.assessment_list, name="assessments"),
    path("consultations/<uuid:code>/", views.consultation_detail, name="detail"),
    path("consultations/<uuid:code>/discussed/", views.consultation_discussed, name="discussed"),
    path("consultations/<uuid:code>/oral-information/", views.oral_information, name="oral-information"),
    path("consultations/<uuid:code>/assess/", views.assessment_create, name="assess"),
    path("consultations/<uuid:code>/plan/", views.plan_create, name="plan-create"),
    path("plans/<uuid:code>/", views.plan_detail, name="plan"),
]
