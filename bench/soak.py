"""Soak: two gunicorn instances sharing PostgreSQL and Redis, under load, with faults; one table.

    python bench/soak.py [--duration 60] [--connections 100] [--pg-port 55433] [--redis-port 56380]

Starts its own PostgreSQL cluster (initdb into a temp folder) and Redis server on other ports than
the shared 5432 and 6379, two gunicorn instances (A, B) on 8201/8202, then:
- load: wrk on both instances (anonymous question page on A, signed-in /review/ on B) and a rating
  script (one thread per user, alternating A and B) for --duration seconds;
- cross-instance: a session signed in on A works on B; a login limit hit on A holds on B; a content
  import run beside A shows on B's cached page within the printed time;
- faults under probing traffic: PostgreSQL stopped 10 s, Redis stopped 10 s, a worker of A kill -9'd
  while ratings run. Ratings sent are counted against ReviewLog rows.
Needs wrk (apt-get install wrk), redis-server and PostgreSQL's server binaries.
"""

from __future__ import annotations

import argparse
import glob
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USERS = 20
SEED_SET = "django-interview-questions-answers"  # the import check edits this set's first question
CARDS = 40
PASSWORD = "soak-password-123"


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise SystemExit(f"{name} not found: apt-get install postgresql")
    return found[-1]


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Postgres:
    def __init__(self, folder: Path, port: int):
        self.data, self.port, self.log = folder / "pg", port, folder / "pg.log"
        folder.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(as_postgres([pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]),
                       check=True, capture_output=True)

    def start(self):
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o",
                                    f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                                    "-c max_connections=200", "start"]), check=True, capture_output=True)

    def stop(self):
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)


class Redis:
    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def manage(env, *args) -> str:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout


SETUP = f"""
import json
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.utils import timezone
from progress.models import Card, State
from questions.models import Question
User = get_user_model()
SEED_SET = "{SEED_SET}"
questions = list(Question.objects.filter(category__question_set__slug=SEED_SET).order_by("pk")[:{CARDS}])
now = timezone.now()
out = {{}}
for n in range({USERS}):
    user = User.objects.create_user(f"soak{{n}}", f"soak{{n}}@example.com", "{PASSWORD}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)  # sign-in needs it
    cards = Card.objects.bulk_create([Card(user=user, question=q, state=State.REVIEW, stability=5, difficulty=5,
                                           due=now - timedelta(days=1), last_review=now - timedelta(days=6))
                                      for q in questions])
    session = SessionStore()
    session.update({{SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()}})
    session.create()
    out[user.username] = {{"session": session.session_key,
                          "cards": [[c.question_id, c.version] for c in Card.objects.filter(user=user)]}}
q = questions[0]
print(json.dumps({{"cards": out, "question": q.get_absolute_url()}}))
"""


class Session:
    """A cookie jar and CSRF token, talking to either instance (cookies are per host, not port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url, data=None, timeout=10, headers=None):
        headers = dict(headers or {})
        token = next((c.value for c in self.jar if c.name == "csrftoken"), None)
        if data is not None and token:
            headers["X-CSRFToken"] = token
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, body, headers), timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def set_cookies(self, session_key):
        """A session made server-side (many sign-ins from one IP would trip the login limits)."""
        for name, value in (("sessionid", session_key), ("csrftoken", secrets.token_hex(16))):
            self.jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/",
                                                      True, False, None, False, None, None, {}))

    def login(self, base, username, password=PASSWORD):
        self.request(base + "/accounts/login/")
        return self.request(base + "/accounts/login/", {"login": username, "password": password})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


def wrk(url, connections, duration, cookie=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99": float(p99.group(1)) * units[p99.group(2)] if p99 else float("nan"),
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0)}


class Raters:
    """One thread per user rating its cards on A and B in turn; counts what the server accepted."""

    def __init__(self, bases, cards):
        self.bases, self.cards, self.stop = bases, cards, threading.Event()
        self.accepted, self.unknown, self.refused = 0, 0, Counter()
        self.lock = threading.Lock()

    def run_user(self, username, account):
        session = Session()
        session.set_cookies(account["session"])
        versions = dict((pk, version) for pk, version in account["cards"])
        turn = 0
        while not self.stop.is_set() and versions:
            pk = list(versions)[turn % len(versions)]
            base = self.bases[turn % len(self.bases)]
            turn += 1
            try:
                # As htmx sends it: a stale version answers 200 with a notice instead of a redirect.
                status, body = session.request(f"{base}/review/questions/{pk}/rate/",
                                               {"rating": "3", "version": versions[pk]},
                                               headers={"HX-Request": "true"})
            except OSError:
                with self.lock:
                    self.unknown += 1  # in flight when a worker died: it may or may not have committed
                versions.pop(pk)
                continue
            with self.lock:
                if status in (200, 302) and "already answered" not in body:
                    self.accepted += 1
                    versions[pk] += 1
                else:
                    self.refused[status] += 1
                    versions.pop(pk) if status == 200 else time.sleep(0.2)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.run_user, args=(u, c), daemon=True) for u, c in self.cards.items()]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def probe(urls, seconds, session=None, during=None):
    """GET the urls in a loop for `seconds`; `during(t)` runs fault actions. Returns status counts and timeline."""
    counts, timeline, start = Counter(), [], time.monotonic()
    session = session or Session()
    actions = dict(during or {})
    while (elapsed := time.monotonic() - start) < seconds:
        for at in [t for t in actions if t <= elapsed]:
            actions.pop(at)()
            timeline.append((at, "fault action"))
        for url in urls:
            try:
                status, _ = session.request(url, timeout=5)
            except OSError:
                status = "conn"
            counts[status] += 1
            timeline.append((time.monotonic() - start, status))
        time.sleep(0.05)
    return counts, timeline


def recovery(timeline, after):
    """Seconds from `after` until every probe answered 200 again."""
    last_bad = max((t for t, status in timeline if t >= after and status not in (200, "fault action")), default=after)
    return max(0.0, last_bad - after)


def current_versions(env, fixture) -> None:
    versions = json.loads(manage(env, "shell", "-c", "import json; from progress.models import Card; "
                                 "print(json.dumps({f'{u}:{q}': v for u, q, v in "
                                 "Card.objects.values_list('user__username', 'question_id', 'version')}))")
                          .strip().splitlines()[-1])
    for username, account in fixture["cards"].items():
        account["cards"] = [[pk, versions[f"{username}:{pk}"]] for pk, _ in account["cards"]]


def first_question(env) -> str:
    return manage(env, "shell", "-c", "from questions.models import Question; "
                  f"print(Question.objects.listed().filter(category__question_set__slug='{SEED_SET}')"
                  ".order_by('pk').first().get_absolute_url())").split()[-1]


def count_logs(env) -> int:
    return int(manage(env, "shell", "-c", "from progress.models import ReviewLog; print(ReviewLog.objects.count())")
               .split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--redis-port", type=int, default=56380)
    parser.add_argument("--ports", default="8201,8202")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.pg_port == 5432 or args.redis_port == 6379:
        raise SystemExit("use other ports than the shared PostgreSQL and Redis")
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: apt-get install {tool}")

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    pg, redis = Postgres(folder, args.pg_port), Redis(args.redis_port)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/soak",
           "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/5", "DJANGO_SETTINGS_MODULE": "soak_settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]), "DJANGO_CONN_MAX_AGE": "60"}
    servers, rows = [], []
    try:
        pg.start()
        redis.start()
        subprocess.run(as_postgres(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-c",
                                    "CREATE DATABASE soak"]), check=True, capture_output=True)
        manage(env, "migrate", "--noinput")
        manage(env, "import_questions", "--shipped")
        fixture = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        ports = [int(p) for p in args.ports.split(",")]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for port in ports:
            servers.append(subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "prepsite.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(args.workers), "--backlog", "2048", "--log-level", "critical"],
                cwd=ROOT, env=env, start_new_session=True))
        for base in bases:
            wait_for(base + "/healthz")
        a, b = bases
        question = fixture["question"]

        # Cross-instance state.
        shared = Session()
        status, _ = shared.login(a, "soak0")
        session_ok = status == 302 and shared.request(b + "/progress/")[0] == 200
        rows.append(("session signed in on A, used on B", "ok" if session_ok else "FAIL", ""))
        attacker = Session()
        for _ in range(6):
            attacker.login(a, "soak1", "wrong-guess")
        _, body = attacker.login(b, "soak1")
        limit_ok = "Too many failed login attempts" in body
        rows.append(("login limit hit on A holds on B", "ok" if limit_ok else "FAIL", ""))
        urllib.request.urlopen(b + question.rstrip("/").rsplit("/", 1)[0] + "/").read()  # cached on B
        source = ROOT / "content" / "sets" / "django-interview-questions.md"
        text = source.read_text()
        first_heading = re.search(r"^### (.+)$", text, re.M)
        marker = f"soak-{secrets.token_hex(3)}"
        changed = folder / source.name
        changed.write_text(text.replace(first_heading.group(0), f"{first_heading.group(0)} {marker}", 1))
        started = time.monotonic()
        manage(env, "import_questions", str(changed))
        seen = None
        while time.monotonic() - started < 30:
            page = urllib.request.urlopen(b + question.rstrip("/").rsplit("/", 1)[0] + "/").read().decode()
            if marker in page:
                seen = time.monotonic() - started
                break
            time.sleep(0.2)
        rows.append(("import beside A shows on B", "ok" if seen is not None else "FAIL",
                     f"{seen:.1f} s after the import started" if seen is not None else "not within 30 s"))

        question = first_question(env)  # the import renamed the first question

        # Load: wrk on both instances plus ratings.
        cookie = "; ".join(f"{c.name}={c.value}" for c in shared.jar)
        logs_before = count_logs(env)
        results = {}
        with Raters(bases, fixture["cards"]) as raters:
            threads = [
                threading.Thread(target=lambda: results.__setitem__("A anonymous question", wrk(
                    a + question, args.connections // 2, args.duration))),
                threading.Thread(target=lambda: results.__setitem__("B signed-in /review/", wrk(
                    b + "/review/", args.connections // 2, args.duration, cookie))),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        logs = count_logs(env) - logs_before
        for name, r in results.items():
            rows.append((f"load {name}", f"{r['rate']:.0f} req/s", f"p99 {r['p99']:.0f} ms, {r['errors']} errors"))
        rows.append(("ratings accepted vs ReviewLog rows", "ok" if logs == raters.accepted else "FAIL",
                     f"{raters.accepted} sent, {logs} rows, refused {dict(raters.refused)}"))

        # Faults, under probing traffic on both instances.
        urls = [a + question, b + "/progress/", a + "/healthz"]
        counts, timeline = probe(urls, 25, shared, {3: pg.stop, 13: pg.start})
        rows.append(("PostgreSQL stopped 10 s", "ok" if counts[500] == 0 else "FAIL",
                     f"500s {counts[500]}, 503s {counts[503]}, 200s {counts[200]}, "
                     f"recovered {recovery(timeline, 13):.1f} s after restart"))
        counts, timeline = probe(urls[:2], 20, shared, {3: redis.stop, 13: redis.start})
        bad = sum(n for status, n in counts.items() if status != 200)
        rows.append(("Redis stopped 10 s", "ok" if bad == 0 else "FAIL",
                     f"{bad} errors of {sum(counts.values())} requests {dict(counts)}"))
        current_versions(env, fixture)
        logs_before = count_logs(env)
        with Raters([a], fixture["cards"]) as raters:
            time.sleep(3)
            workers = subprocess.run(["pgrep", "-P", str(servers[0].pid)], capture_output=True, text=True).stdout.split()
            os.kill(int(workers[0]), signal.SIGKILL)
            time.sleep(5)
        logs = count_logs(env) - logs_before
        kill_ok = raters.accepted <= logs <= raters.accepted + raters.unknown
        rows.append(("a worker of A kill -9'd during ratings", "ok" if kill_ok else "FAIL",
                     f"{raters.accepted} accepted, {raters.unknown} in flight, {logs} rows"))
    finally:
        for server in servers:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        redis.stop()
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\nsoak: 2 gunicorn instances x {args.workers} workers, PostgreSQL :{args.pg_port}, Redis :{args.redis_port}, "
          f"wrk {args.connections} connections for {args.duration} s\n")
    width = max(len(row[0]) for row in rows)
    for name, verdict, detail in rows:
        print(f"{name:<{width}}  {verdict:<12}  {detail}")
    sys.exit(0 if all(row[1] != "FAIL" for row in rows) else 1)


if __name__ == "__main__":
    main()
