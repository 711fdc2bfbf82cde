"""The baseline for bench/pages_bench.py: a bare Django hello-world, outside this project's stack.

No apps, no middleware, no database: what Django itself costs per request under the same gunicorn.
`/write` is the floor of a rating POST: the same bare Django plus the database work any rating
must do, one durable PostgreSQL statement that inserts two rows, a card and its log (BENCH_WRITE_DSN).
"""

import os

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
        _connection.autocommit = True  # the statement is its own transaction, as a rating's is
    with _connection.cursor() as cursor:
        cursor.execute("WITH card AS (INSERT INTO bench_floor (kind) VALUES ('card') RETURNING id) "
                       "INSERT INTO bench_floor (kind, card) SELECT 'log', id FROM card")
    return HttpResponse("written")


urlpatterns = [path("", hello), path("write", write)]

application = get_wsgi_application()
