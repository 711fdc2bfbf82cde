"""WSGI entry point: gunicorn prepsite.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
django_application = get_wsgi_application()

from questions.caching import AnonymousPageApplication  # noqa: E402  (after setup: it imports models)

application = AnonymousPageApplication(django_application)
