"""Where a signed-in page spends its time: cProfile over the real views, through Django's test client.

    python bench/profile_pages.py [--database-url sqlite:////tmp/prep-profile.sqlite3] [--requests 50] [--top 25]

Builds a fresh database with the shipped sets and a reader who has studied every question,
then prints per page the mean time per request, the queries per request, and the functions
with the most cumulative time. For finding costs, not for targets: bench/pages_bench.py
measures those.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/prep-profile.sqlite3")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--page", action="append", help="only these page names")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "pages_settings"
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:2])}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "import_questions", "--shipped"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    import json
    fixture = json.loads(subprocess.run([sys.executable, str(ROOT / "bench" / "pages_fixture.py"), "1"],
                                        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout)

    import django
    django.setup()
    from django.db import connection
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.cookies[fixture["session_cookie"]] = fixture["reader_session"]
    pages = {
        "signed-in question": fixture["question"],
        "signed-in /review/": fixture["review"],
        "signed-in /quizzes/": fixture["quizzes"],
        "signed-in /progress/": fixture["progress"],
    }
    for name, path in pages.items():
        if args.page and name not in args.page:
            continue
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            client.get(path)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / args.requests * 1000
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"\n=== {name} {path}: {elapsed:.1f} ms/request, {len(queries)} queries ===")
        print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
