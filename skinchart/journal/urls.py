from django.urls import path

from skinchart.journal import views

app_name = "journal"

urlpatterns = [
    path("clients/<uuid:code>/journal/", views.timeline, name="timeline"),
    path("clients/<uuid:code>/journal/notes/new/", views.note_create, name="note-create"),
    path("clients/<uuid:code>/break-glass/", views.break_glass, name="break-glass"),
    path("journal/entries/<uuid:code>/", views.entry_detail, name="entry"),
    path("journal/entries/<uuid:code>/edit/", views.entry_edit, name="entry-edit"),
    path("journal/entries/<uuid:code>/sign/", views.entry_sign, name="entry-sign"),
    path("journal/entries/<uuid:code>/correct/", views.entry_correct, name="entry-correct"),
    path("journal/break-glass/", views.break_glass_review, name="break-glass-review"),
    path("journal/break-glass/<uuid:code>/review/", views.break_glass_reviewed, name="break-glass-reviewed"),
]
