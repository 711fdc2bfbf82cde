from django.urls import path

from . import views

app_name = "content"
urlpatterns = [
    path("sets/<slug:set_slug>/export.md", views.export_markdown, name="export_markdown"),
    path("sets/<slug:set_slug>/export.apkg", views.export_anki, name="export_anki"),
]
