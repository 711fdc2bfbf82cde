from django.apps import AppConfig


class PrepsiteConfig(AppConfig):
    name = "prepsite"
    label = "prepsite"
    verbose_name = "Site"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .jobs import start_worker_inside_runserver

        start_worker_inside_runserver()
