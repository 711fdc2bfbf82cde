"""Settings for bench/soak.py only: production behaviour over plain HTTP, static files without a manifest."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")  # let prepsite.settings load without a secret key

from prepsite.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "CRITICAL"}}
