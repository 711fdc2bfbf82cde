"""The public exports of a set: Markdown (re-importable) and an Anki deck."""

from django.urls import path

from . import export_views

app_name = "exports"
urlpatterns = [
    path("sets/<slug:set_slug>/export.md", export_views.export_markdown, name="export_markdown"),
    path("sets/<slug:set_slug>/export.apkg", export_views.export_anki, name="export_anki"),
]
