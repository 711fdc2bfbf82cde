"""Where a page spends its time, and what one request costs next to a bare Django hello-world.

    python bench/profile_pages.py [--database-url sqlite:////tmp/prep-profile.sqlite3] [--requests 50]
                                  [--rounds 5] [--top 25] [--sort tottime] [--page NAME]

Builds a fresh database with the shipped sets and a reader who has studied every question,
then serves each page through Django's test client (the full middleware stack, production
settings) and prints per page the queries per request, the CPU milliseconds per request (best
of --rounds, so a busy machine's noise is mostly left out), and its ratio to bench/hello_world.py
served by the same harness in a child process. On SQLite the database work is in-process, so
that ratio is what bench/pages_bench.py shows on a quiet machine. --top N adds a CPU-time cProfile
listing per page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

from pages_bench import RATED_MIX, TARGETS  # noqa: E402  (bench/ is the script's folder: one list of the issue's targets)


def best_ms(send, requests: int, rounds: int) -> float:
    """CPU milliseconds per request, the best round's mean."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            send()
        best = min(best, (time.process_time() - started) / requests * 1000)
    return best


def hello_world(requests: int, rounds: int) -> None:
    """Child process: the bare hello-world app through the same test client."""
    sys.path.insert(0, str(BENCH))
    import hello_world  # noqa: F401  (configures settings and sets Django up)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    assert client.get("/").status_code == 200
    print(json.dumps(best_ms(lambda: client.get("/"), requests, rounds)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/prep-profile.sqlite3")
    parser.add_argument("--redis-url", default="", help="REDIS_URL for the site, flushed first (default: in-process cache)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=0, help="print a cProfile listing of this many lines per page")
    parser.add_argument("--sort", default="cumulative", help="pstats order of the --top listing (e.g. tottime)")
    parser.add_argument("--page", action="append", help="only these page names")
    parser.add_argument("--hello-world", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hello_world:
        return hello_world(args.requests, args.rounds)

    hello = json.loads(subprocess.run(
        [sys.executable, __file__, "--hello-world", "--requests", str(args.requests * 4), "--rounds", str(args.rounds)],
        check=True, capture_output=True, text=True).stdout)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "pages_settings"
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    sys.path[:0] = [str(BENCH), str(ROOT)]
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:2])}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # A PostgreSQL database is kept between runs: start from empty tables, as on SQLite.
    subprocess.run([sys.executable, "manage.py", "flush", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "import_questions", "--shipped"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    ratings_needed = (args.requests * (args.rounds + 2) + 10) * 2
    fixture = json.loads(subprocess.run([sys.executable, str(BENCH / "pages_fixture.py"), str(ratings_needed)],
                                        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout)

    import django
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()  # a previous run's keys name the same rows and versions
    reader = Client(HTTP_X_FORWARDED_PROTO="https")
    reader.cookies[fixture["session_cookie"]] = fixture["reader_session"]
    anonymous = Client(HTTP_X_FORWARDED_PROTO="https")
    rater = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HX_REQUEST="true")
    ratings = iter(fixture["rate"])

    def rate():
        r = next(ratings)
        rater.cookies[fixture["session_cookie"]] = r["session"]
        return rater.post(r["path"], r["body"], content_type="application/x-www-form-urlencoded")

    pages = {
        "anonymous question": lambda: anonymous.get(fixture["question"]),
        "anonymous question ?x=<random>": lambda: anonymous.get(fixture["question"] + "?utm_source=bench&x=1"),
        "signed-in question": lambda: reader.get(fixture["question"]),
        "signed-in /review/": lambda: reader.get(fixture["review"]),
        "signed-in /quizzes/": lambda: reader.get(fixture["quizzes"]),
        "signed-in /progress/": lambda: reader.get(fixture["progress"]),
        RATED_MIX: rate,  # the ratings as a review session sends them
    }
    rows = []
    for name, send in pages.items():
        if args.page and name not in args.page:
            continue
        response = send()
        assert response.status_code == 200, (name, response.status_code)
        send()
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            send()
        ms = best_ms(send, args.requests, args.rounds)
        rows.append((name, len(queries), ms))
        if args.top:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database
            profiler.enable()
            for _ in range(args.requests):
                send()
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(f"\n=== {name}: {ms:.2f} ms/request, {len(queries)} queries ===")
            print("\n".join(out.getvalue().splitlines()[6:]))
            print("\n".join(q[:300] for q in queries))

    print(f"\nin-process test client, {connection.vendor}, {'Redis' if args.redis_url else 'in-process'} cache, CPU ms per request (best of {args.rounds} x {args.requests})\n")
    print("| page | queries | ms/request | x hello | target |")
    print("|---|---|---|---|---|")
    print(f"| hello-world (bare Django) | 0 | {hello:.3f} | 1.00 | |")
    for name, queries, ms in rows:
        target = TARGETS.get(name)
        print(f"| {name} | {queries} | {ms:.2f} | {hello / ms:.2f} | {f'>= {target}' if target else ''} |")


if __name__ == "__main__":
    main()
