from django.urls import include, path

from skinchart.api.urls import api

urlpatterns = [
    path("", include("skinchart.system.urls")),
    path("accounts/", include("skinchart.accounts.urls")),
    path("clients/", include("skinchart.clients.urls")),
    path("", include("skinchart.journal.urls")),
    path("audit/", include("skinchart.audit.urls")),
    path("catalogue/", include("skinchart.catalogue.urls")),
    path("", include("skinchart.guides.urls")),
    path("", include("skinchart.scheduling.urls")),
    path("", include("skinchart.photos.urls")),
    path("", include("skinchart.consultations.urls")),
    path("", include("skinchart.consent.urls")),
    path("", include("skinchart.products.urls")),
    path("", include("skinchart.sessions.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

handler400 = "skinchart.system.errors.bad_request"
handler403 = "skinchart.system.errors.permission_denied"
handler404 = "skinchart.system.errors.page_not_found"
handler500 = "skinchart.system.errors.server_error"
