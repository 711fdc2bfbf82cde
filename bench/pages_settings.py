"""Settings for bench/pages_bench.py only: the site as deployed, with pages_urls as URLconf."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")  # let prepsite.settings load without a secret key

from prepsite.settings import *  # noqa: E402,F403

DEBUG = False  # no query log, no htmx debug script; static files still served plainly
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "pages_urls"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

