"""Page benchmark: the study pages served by gunicorn on PostgreSQL, driven by wrk.

    python bench/pages_bench.py [--database-url postgres://postgres@127.0.0.1:5432/prep_bench_pages]
                                [--port 8101] [--workers 4] [--connections 50] [--duration 10]

The seed set is imported into a dedicated database (dropped and re-created each run).
gunicorn serves the real site through bench/pages_settings.py and bench/pages_urls.py, which adds only a hello-world
view at /bench-hello/: the baseline, measured through the same server in the same run.
Reports requests/s, p50, p99 and errors per page, and each page's rate as a ratio to the
hello-world rate. Targets at 50 connections: question page >= 0.5x hello-world,
p99 < 100 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kwargs)


def prepare_database(url: str, env: dict) -> None:
    """Drop and re-create the bench database, migrate and import the seed into it."""
    base, name = url.rsplit("/", 1)
    admin_env = {**env, "DATABASE_URL": f"{base}/postgres"}
    script = (
        "import psycopg2, sys; from psycopg2 import sql\n"
        "import dj_database_url as d; c = d.parse(sys.argv[1])\n"
        "conn = psycopg2.connect(dbname='postgres', user=c['USER'], password=c['PASSWORD'] or None,"
        " host=c['HOST'], port=c['PORT'] or 5432); conn.autocommit = True; cur = conn.cursor()\n"
        "cur.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(sys.argv[2])))\n"
        "cur.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(sys.argv[2])))\n"
    )
    run([PYTHON, "-c", script, url, name], admin_env)
    db_env = {**env, "DATABASE_URL": url}
    run([PYTHON, "manage.py", "migrate", "-v0"], db_env)
    out = run([PYTHON, "manage.py", "import_questions", "--shipped"], db_env).stdout
    print(out.strip().splitlines()[0] if out.strip() else "imported")


def first_urls(env: dict) -> dict[str, str]:
    code = (
        "import django; django.setup()\n"
        "from questions.models import Question\n"
        "q = Question.objects.listed().with_category().order_by('category__position', 'position')[1]\n"
        "print(q.category.get_absolute_url()); print(q.get_absolute_url())\n"
    )
    category, question = run([PYTHON, "-c", code], env).stdout.split()
    return {
        "hello-world": "/bench-hello/",
        "home": "/",
        "category": category,
        "question": question,
        "search": "/search/?q=middleware",
    }


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, connections: int, duration: int, threads: int = 2) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rate": rate, "p50": p50, "p99": p99, "errors": errors, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/prep_bench_pages")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "pages_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "DJANGO_CONN_MAX_AGE": "600",
    }
    prepare_database(args.database_url, {**env, "DJANGO_SETTINGS_MODULE": "prepsite.settings"})
    urls = first_urls(env)

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "prepsite.wsgi:application",
         "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--worker-class", "sync",
         "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        wait_for(base + urls["hello-world"])
        results = {}
        for name, path in urls.items():
            wrk(base + path, args.connections, 2)  # warm-up: caches, connections, imports
            results[name] = wrk(base + path, args.connections, args.duration)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    hello = results["hello-world"]["rate"]
    print(f"\ngunicorn {args.workers} sync workers, PostgreSQL, wrk {args.connections} connections, "
          f"{args.duration}s per page (after a 2s warm-up)\n")
    print(f"{'page':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x hello':>8}")
    for name, r in results.items():
        print(f"{name:<12} {r['rate']:>9.1f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['errors']:>7} {r['rate'] / hello:>8.2f}")
    q = results["question"]
    checks = {
        "question page >= 0.5x hello-world": q["rate"] / hello >= 0.5,
        "p99 < 100 ms on every page": all(r["p99"] < 100 for r in results.values()),
        "0 errors": all(r["errors"] == 0 for r in results.values()),
    }
    print()
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
