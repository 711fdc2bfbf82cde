"""WSGI entry point: gunicorn prepsite.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
application = get_wsgi_application()
