"""Settings from the environment, production safety and /healthz."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="prep.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="prep.example.com",
        REDIS_URL="redis://127.0.0.1:6379/5",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_a_shared_cache():
    result = manage(
        "check", "--deploy",
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="prep.example.com",
    )
    assert "prepsite.W001" in result.stderr + result.stdout and "REDIS_URL" in result.stderr + result.stdout


def test_redis_url_switches_cache_and_sessions():
    result = manage(
        "shell", "-c",
        "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)",
        REDIS_URL="redis://127.0.0.1:6379/5",
    )
    assert result.stdout.split()[-2:] == ["django_redis.cache.RedisCache", "prepsite.sessions"]


def test_procfile_runs_gunicorn_and_release_imports():
    procfile = (ROOT / "Procfile").read_text()
    assert "web: gunicorn prepsite.wsgi:application" in procfile
    assert "release: python manage.py migrate" in procfile and "import_questions --shipped" in procfile
    assert "worker: python manage.py run_jobs" in procfile


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_database_down(client):
    with mock.patch("prepsite.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_get_only(client):
    response = client.put("/healthz")
    assert response.status_code == 405


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


@pytest.mark.django_db
def test_site_templates_compose_the_apps(signed_in, seed_set):
    """Home shows progress' review summary; the dashboard shows quizzes' recent results."""
    home = signed_in.get("/").content.decode()
    assert "Continue reviewing" in home
    dashboard = signed_in.get("/progress/").content.decode()
    assert 'id="recent-quizzes-heading"' in dashboard


@pytest.mark.django_db
def test_not_found_page_uses_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="/search/"' in html


def test_the_account_adapter_imports_first_in_a_fresh_interpreter():
    # check --deploy loads the adapter in whatever order the check registry (a set) yields
    code = "import django; django.setup(); import prepsite.accounts"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "prepsite.settings"})
    assert result.returncode == 0, result.stderr


def test_readme_documents_every_setting_read_from_the_environment():
    read = set(re.findall(r"""["']((?:DJANGO|REDIS|IMPORT)_[A-Z_]+)["']""", (ROOT / "site" / "settings.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    assert {"DJANGO_SECURE_SSL_REDIRECT", "DJANGO_HSTS_SECONDS", "DJANGO_EMAIL_BACKEND", "DJANGO_SITE_NAME"} <= read
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []


def test_readme_production_preview_turns_off_only_the_https_redirect_and_hsts():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("### Preview production locally"):]
    block = block[block.index("```sh") + 5:block.index("```", block.index("```sh") + 5)]
    exported = dict(re.findall(r"(DJANGO_[A-Z_]+)=(\S+)", block.replace("$(date +%s)", "1")))
    assert "collectstatic" in block and "gunicorn" in block
    result = manage(
        "shell", "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.EMAIL_BACKEND)",
        **exported,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["False", "False", "0", "True", "django.core.mail.backends.console.EmailBackend"]
    # Left out, production's defaults stand: redirect to HTTPS, a year of HSTS, mail over SMTP.
    result = manage("shell", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
                    "s.SECURE_HSTS_SECONDS, s.EMAIL_BACKEND)", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.split()[-3:] == ["True", "31536000", "django.core.mail.backends.smtp.EmailBackend"]
