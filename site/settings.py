"""Settings for the interview-prep site, read from the environment.

Local defaults are safe (SQLite file, debug on); with DJANGO_DEBUG=0 a missing
DJANGO_SECRET_KEY stops start-up.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) refuses to start "
            "without it; generate one with: python -c \"import secrets; print(secrets.token_urlsafe(50))\""
        )
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "prepsite",
    "questions",
    "progress",
    "quizzes",
]

MIDDLEWARE = [
    # First: a stored public page for a visitor without a session skips everything below.
    "questions.caching.AnonymousPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "prepsite.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "prepsite.auth.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "questions.redirects.OldSlugRedirectMiddleware",
    "prepsite.middleware.RejectNulBytesMiddleware",
    "prepsite.middleware.PrivateCacheMiddleware",
    "prepsite.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "prepsite.urls"
WSGI_APPLICATION = "prepsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "prepsite.postgresql"  # Django's, with a cheaper health check
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting for the lock beats "database is locked" under concurrent requests.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

SITE_ID = 1
# Written to django.contrib.sites after every migrate (prepsite.apps.name_the_site); emails use them.
SITE_NAME = os.environ.get("DJANGO_SITE_NAME", "Interview Prep")
SITE_DOMAIN = os.environ.get("DJANGO_SITE_DOMAIN", "localhost:8000")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# New accounts verify their address before signing in; with allauth's enumeration prevention,
# signing up with a registered address looks the same as a new one (the owner gets an email).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_ADAPTER = "prepsite.accounts.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # The per-key part counts one account from one IP (see prepsite.accounts); the account-wide
    # limit is looser, and a sign-in code by email still works when it trips.
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "30/h/key",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

if DEBUG:
    # Development serves static files from the finders; no collectstatic folder is expected.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
    WHITENOISE_USE_FINDERS = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Redis shares the page cache, per-user caches and allauth's rate limits across workers and
# machines. Its errors are logged and read as misses, so an outage slows pages but never fails them.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "prep",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "prepsite.cache"
    # Signed-in requests read the session and the user from Redis; the database stays the source
    # of truth (prepsite.auth drops a user's copy when the user is saved).
    SESSION_ENGINE = "prepsite.sessions"  # cached_db, fetching the user's copy in the same round trip
    AUTH_USER_CACHE_TIMEOUT = 60
    # Signed-in pages are keyed by everything they show, so a worker's own copy is as fresh as Redis's.
    SIGNED_IN_PAGES_KEPT_LOCALLY = 256
else:
    # A per-process cache cannot drop other workers' copies of a user or a session: read both each time.
    AUTH_USER_CACHE_TIMEOUT = 0
    SIGNED_IN_PAGES_KEPT_LOCALLY = 0  # the in-process cache is already local
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "interview-prep",
        }
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@localhost")
EMAIL_TIMEOUT = 10

# Jobs are rows in the database: a fresh clone needs no other service. `runserver` runs a worker
# thread inside itself; production runs `manage.py run_jobs` (the Procfile's worker line).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_RETRY_DELAYS = [30, 120, 600]  # seconds before the 2nd, 3rd and 4th attempt
IMPORT_TIME_LIMIT = int(os.environ.get("IMPORT_TIME_LIMIT", "300"))  # seconds an import job may run
# A running job silent this long lost its worker and is enqueued again. An import's apply reports
# inside its transaction, unseen by other connections until the commit, so the longest silence of a
# live job is the import time limit.
JOB_STALE_AFTER = max(300, IMPORT_TIME_LIMIT + 60)
EXPORT_JOB_THRESHOLD = 500  # Anki exports of sets larger than this run as a job

# Uploaded Markdown sets are read into memory; anything bigger is refused by the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the body's hx-headers, not the cookie
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from this site's files: no inline <script>, <style> or style="".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
