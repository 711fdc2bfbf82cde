"""Page benchmark: anonymous and signed-in pages under gunicorn on PostgreSQL, driven by wrk.

    python bench/pages_bench.py [--database-url postgres://postgres@127.0.0.1:5432/prep_bench_pages]
                                [--port 8101] [--workers 2] [--connections 50] [--duration 10]
                                [--redis-url redis://127.0.0.1:6379/9]

The shipped sets are imported into a dedicated database (dropped and re-created each run).
The baseline is a bare Django hello-world (bench/hello_world.py: no apps, no middleware),
served by the same gunicorn settings in the same run. Every request is sent as a TLS proxy
sends it (`X-Forwarded-Proto: https`) to the production settings, and every URL must answer
200 before it is measured. A rating POST rates a card never rated before, so each does the
whole write; ReviewLog rows are counted against ratings sent. The ratings come as a review
session sends them (bench/pages_fixture.py): the target row is that mix, and two more rows
measure each kind alone.

Targets (issue 10), as ratios to the hello-world rate: signed-in question >= 0.25, /review/
>= 0.2, /quizzes/ >= 0.2, /progress/ >= 0.1, anonymous question >= 0.85, rating POST >= 0.15;
p99 < 100 ms and 0 errors on every page. A last row, not a page, is the floor of any rating: the
hello-world plus one durable PostgreSQL statement that inserts two rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

TARGETS = {
    "anonymous question": 0.85,
    "signed-in question": 0.25,
    "signed-in /review/": 0.2,
    "signed-in /quizzes/": 0.2,
    "signed-in /progress/": 0.1,
    # A review session's ratings as the browser sends them (see RATED_AHEAD and RATED_LAST).
    "rating POST, as a session sends them": 0.15,
}
RATED_MIX = "rating POST, as a session sends them"
# Not a page: bare Django plus the database work any rating must do (bench/hello_world.py's /write).
FLOOR = "floor of a rating: hello-world + a durable 2-row write"
# The two kinds of rating the mix is made of (progress.queue.BATCH: all but one in each session hold
# the next card). Before sessions held the next cards, every rating was the second kind, with one card.
RATED_AHEAD = "rating POST, the browser holds the next card"
RATED_LAST = "rating POST, the last card of a session (the next session, 5 cards)"


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kwargs)


def prepare_database(url: str, env: dict) -> None:
    """Drop and re-create the bench database, migrate and import the shipped sets into it."""
    base, name = url.rsplit("/", 1)
    script = (
        "import psycopg2, sys; from psycopg2 import sql\n"
        "import dj_database_url as d; c = d.parse(sys.argv[1])\n"
        "conn = psycopg2.connect(dbname='postgres', user=c['USER'], password=c['PASSWORD'] or None,"
        " host=c['HOST'], port=c['PORT'] or 5432); conn.autocommit = True; cur = conn.cursor()\n"
        "cur.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(sys.argv[2])))\n"
        "cur.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(sys.argv[2])))\n"
    )
    run([PYTHON, "-c", script, url, name], {**env, "DATABASE_URL": f"{base}/postgres"})
    floor = ("import psycopg2, sys\nconn = psycopg2.connect(sys.argv[1]); conn.autocommit = True\n"
             "conn.cursor().execute('CREATE TABLE bench_floor (id bigserial PRIMARY KEY, kind text NOT NULL,"
             " card bigint, at timestamptz NOT NULL DEFAULT now())')\n")
    run([PYTHON, "-c", floor, url], env)
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    out = run([PYTHON, "manage.py", "import_questions", "--shipped"], env).stdout
    print(out.strip().splitlines()[0] if out.strip() else "imported")


def count_logs(env: dict) -> tuple[int, int]:
    """ReviewLog rows, and the distinct cards they rate (each POST rates a card never rated before)."""
    code = ("import django; django.setup()\nfrom progress.models import ReviewLog\n"
            "print(ReviewLog.objects.count(), ReviewLog.objects.values('card_id').distinct().count())")
    rows, cards = run([PYTHON, "-c", code], env).stdout.split()
    return int(rows), int(cards)


def start(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def fetch_status(url: str, headers: dict) -> int:
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **headers})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if fetch_status(url, {}) == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, connections: int, duration: int, *, headers: dict | None = None, script: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", script]
    cmd.insert(1, "--timeout=5s")
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": errors,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


RATE_LUA = """
local ratings = {%(ratings)s}
local csrf = "%(csrf)s"
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  i = offset
end
function request()
  local r = ratings[(i %% #ratings) + 1]
  i = i + 2
  return wrk.format("POST", r[2], {
    ["Cookie"] = "%(session_cookie)s=" .. r[1] .. "; %(csrf_cookie)s=" .. csrf,
    ["X-CSRFToken"] = csrf,
    ["Referer"] = "https://127.0.0.1:%(port)d/review/",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true",
    ["X-Forwarded-Proto"] = "https",
  }, r[3])
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/prep_bench_pages")
    parser.add_argument("--redis-url", default="", help="REDIS_URL for the site (default: in-process cache)")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--ratings", type=int, default=45_000,
                        help="first ratings available to the rating POSTs (a third to each of the three runs)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "pages_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "DJANGO_CONN_MAX_AGE": "600",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    prepare_database(args.database_url, env)
    fixture = json.loads(run([PYTHON, str(BENCH / "pages_fixture.py"), str(args.ratings)], env).stdout)
    signed_in = {"Cookie": f"{fixture['session_cookie']}={fixture['reader_session']}"}
    pages = {
        "anonymous question": (fixture["question"], {}),
        "anonymous question ?x=<random>": (fixture["question"] + "?utm_source=bench&x=1", {}),
        "signed-in question": (fixture["question"], signed_in),
        "signed-in /review/": (fixture["review"], signed_in),
        "signed-in /quizzes/": (fixture["quizzes"], signed_in),
        "signed-in /progress/": (fixture["progress"], signed_in),
    }
    # Three disjoint thirds of the first ratings: the mix a review session sends (the target), then
    # each kind alone, to show what each costs.
    third = len(fixture["rate"]) // 3
    rating_runs = {
        RATED_MIX: fixture["rate"][:third],
        RATED_AHEAD: [{**r, "body": r["body"].replace("&then=1", "") + "&then=1"} for r in fixture["rate"][third:2 * third]],
        RATED_LAST: [{**r, "body": r["body"].replace("&then=1", "")} for r in fixture["rate"][2 * third:]],
    }
    scripts = {}
    for name, entries in rating_runs.items():
        ratings = ",".join(f'{{"{r["session"]}","{r["path"]}","{r["body"]}"}}' for r in entries)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(RATE_LUA % {"ratings": ratings, "csrf": fixture["csrf_token"], "port": args.port,
                                  "session_cookie": fixture["session_cookie"], "csrf_cookie": fixture["csrf_cookie"]})
        scripts[name] = lua.name

    hello_port = args.port + 1
    hello_env = {**os.environ, "PYTHONPATH": str(BENCH), "BENCH_WRITE_DSN": args.database_url}
    hello_server = start("hello_world:application", hello_port, args.workers, hello_env)
    site = start("prepsite.wsgi:application", args.port, args.workers, env)
    base = f"http://127.0.0.1:{args.port}"
    results = {}
    try:
        wait_for(f"http://127.0.0.1:{hello_port}/")
        wait_for(base + "/healthz")
        for name, (path, headers) in pages.items():
            status = fetch_status(base + path, headers)
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}, not 200; refusing to measure it")
        wrk(f"http://127.0.0.1:{hello_port}/", args.connections, 2)
        results["hello-world (bare Django)"] = wrk(f"http://127.0.0.1:{hello_port}/", args.connections, args.duration)
        for name, (path, headers) in pages.items():
            wrk(base + path, args.connections, 2, headers=headers)  # warm-up: caches, connections
            results[name] = wrk(base + path, args.connections, args.duration, headers=headers)
        wrk(f"http://127.0.0.1:{hello_port}/write", args.connections, 2)
        results[FLOOR] = wrk(f"http://127.0.0.1:{hello_port}/write", args.connections, args.duration)
        before = count_logs(env)
        for name, script in scripts.items():
            results[name] = wrk(base + fixture["review"], args.connections, args.duration, script=script)
        time.sleep(2)  # POSTs in flight when wrk stopped still finish
        after = count_logs(env)
        logged, cards = after[0] - before[0], after[1] - before[1]
    finally:
        stop(site)
        stop(hello_server)
        for script in scripts.values():
            os.unlink(script)

    hello = results["hello-world (bare Django)"]["rate"]
    print(f"\ngunicorn {args.workers} sync workers, PostgreSQL, "
          f"{'Redis' if args.redis_url else 'in-process'} cache, wrk {args.connections} connections, "
          f"{args.duration}s per page after a 2s warm-up, X-Forwarded-Proto: https\n")
    print("| page | req/s | p50 ms | p99 ms | errors | x hello | target |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        target = TARGETS.get(name)
        print(f"| {name} | {r['rate']:.1f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} | "
              f"{r['rate'] / hello:.2f} | {f'>= {target}' if target else ''} |")
    rated = sum(results[name]["requests"] for name in rating_runs)
    print(f"\nrating POSTs answered: {rated}, new ReviewLog rows: {logged} on {cards} distinct cards"
          f" (first ratings available: {len(fixture['rate'])}; wrk stops with up to {args.connections} in flight per run)")
    checks = {f"{name} >= {target}x hello-world": results[name]["rate"] / hello >= target
              for name, target in TARGETS.items()}
    # wrk counts only the responses it read: a POST in flight at the stop is written but not counted
    checks["no rating lost or doubled"] = rated <= logged <= rated + len(rating_runs) * args.connections and cards == logged
    checks["p99 < 100 ms on every page"] = all(r["p99"] < 100 for name, r in results.items() if name != FLOOR)
    checks["0 errors"] = all(r["errors"] == 0 for r in results.values())
    print()
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
