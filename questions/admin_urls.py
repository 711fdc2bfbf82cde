from django.urls import path

from . import import_views as views

app_name = "imports"
urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/history/", views.import_history, name="import_history"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/source/", views.import_source, name="import_source"),
]
