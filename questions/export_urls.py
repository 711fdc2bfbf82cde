"""The public exports; the `content` namespace keeps the names they had before questions owned them."""

from django.urls import path

from . import export_views

app_name = "content"
urlpatterns = [
    path("sets/<slug:set_slug>/export.md", export_views.export_markdown, name="export_markdown"),
    path("sets/<slug:set_slug>/export.apkg", export_views.export_anki, name="export_anki"),
]
