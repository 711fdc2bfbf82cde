from django.apps import AppConfig


class PrepsiteConfig(AppConfig):
    name = "prepsite"
    label = "prepsite"
    verbose_name = "Site"
