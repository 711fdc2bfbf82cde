"""The baseline for bench/pages_bench.py: a bare Django hello-world, outside this project's stack.

No apps, no middleware, no database: what Django itself costs per request under the same gunicorn.
`/write` is the floor of a rating POST: the same bare Django plus the database work any rating
must do, one durable PostgreSQL transaction that locks a row and inserts two (BENCH_WRITE_DSN).
"""

import os
import random

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-hello-world",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)


def hello(request):
    return HttpResponse("Hello, world")


_connection = None


def write(request):
    global _connection
    if _connection is None:
        import psycopg2

        _connection = psycopg2.connect(os.environ["BENCH_WRITE_DSN"])
    with _connection, _connection.cursor() as cursor:  # one transaction, committed on leaving
        cursor.execute("SELECT id FROM bench_floor WHERE id = %s FOR UPDATE", (-random.randrange(1, 10**9),))
        cursor.execute("INSERT INTO bench_floor (kind) VALUES ('card') RETURNING id")
        cursor.execute("INSERT INTO bench_floor (kind, card) VALUES ('log', %s)", cursor.fetchone())
    return HttpResponse("written")


urlpatterns = [path("", hello), path("write", write)]

application = get_wsgi_application()
