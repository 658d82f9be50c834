from django.urls import path

from skinchart.products import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="list"),
    path("products/recall/", views.recall, name="recall"),
    path("products/recall.csv", views.recall_csv, name="recall-csv"),
    path("products/<uuid:code>/", views.product_detail, name="detail"),
    path("products/<uuid:code>/edit/", views.product_edit, name="edit"),
    path("batches/<uuid:code>/edit/", views.batch_edit, name="batch-edit"),
]
