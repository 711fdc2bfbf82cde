"""Review and dashboard speed with one heavy user: 10,000 cards and 100,000 review logs.

    /tmp/pre-venv/bin/python bench/review_bench.py            # SQLite file and PostgreSQL
    /tmp/pre-venv/bin/python bench/review_bench.py --db sqlite
    /tmp/pre-venv/bin/python bench/review_bench.py --db pg --reseed

Seeds a dedicated database (SQLite: /tmp/prep_srs_bench.sqlite3, PostgreSQL: prep_srs_bench) once,
then times requests through Django's test Client: the review page, a rating (htmx), the dashboard
(warm, and with its activity cache cleared as after a rating), progress.services.record_quiz_answer()
called directly (the schedule update inside every quiz answer), and as the in-run baseline /healthz
(a bare SELECT 1). Prints the median server time, the query
count, the ratio to the baseline, and EXPLAIN of the due-queue query (which must use an index).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_URL = "sqlite:////tmp/prep_srs_bench.sqlite3"
PG_URL = "postgres://postgres@127.0.0.1:5432/prep_srs_bench"
CARDS, LOGS_PER_CARD, EXTRA_NEW = 10_000, 10, 300
RUNS = 25


def ensure_pg_database() -> None:
    import psycopg2

    conn = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'prep_srs_bench'")
        if not cursor.fetchone():
            cursor.execute("CREATE DATABASE prep_srs_bench")
    conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False


def seed(reseed: bool):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from progress.models import Card, ReviewLog, ReviewSettings, State
    from questions.models import Category, Question, QuestionSet

    call_command("migrate", verbosity=0)
    User = get_user_model()
    user = User.objects.filter(username="bench").first()
    if user and not reseed and ReviewLog.objects.filter(user=user).count() >= CARDS * LOGS_PER_CARD:
        return user
    started = time.perf_counter()
    with transaction.atomic():
        User.objects.filter(username="bench").delete()
        QuestionSet.objects.filter(slug="bench").delete()
        user = User.objects.create_user("bench", "bench@example.com", "bench-password-123")
        ReviewSettings.objects.create(user=user, time_zone="Europe/Berlin")
        qset = QuestionSet.objects.create(title="Bench set", slug="bench")
        categories = Category.objects.bulk_create(
            Category(question_set=qset, title=f"Category {i}", slug=f"c{i}", position=i) for i in range(20)
        )
        total = CARDS + EXTRA_NEW
        questions = Question.objects.bulk_create(
            (
                Question(
                    category=categories[i % 20], number=str(i + 1), title=f"Bench question {i + 1}", slug=f"q{i}",
                    position=i, answer_md="An answer.",
                    answer_html="<p>An answer with <code>code</code>.</p>" * 5,
                )
                for i in range(total)
            ),
            batch_size=2000,
        )
        rng = random.Random(4)
        now = datetime.now(timezone.utc)
        cards = []
        for question in questions[:CARDS]:
            roll = rng.random()
            last = now - timedelta(days=rng.uniform(0, 60))
            if roll < 0.75:
                state, step, due = State.REVIEW, None, now + timedelta(days=rng.uniform(-10, 60))
            elif roll < 0.9:
                state, step, due = State.LEARNING, 1, now + timedelta(minutes=rng.uniform(-600, 600))
            else:
                state, step, due = State.RELEARNING, 0, now + timedelta(minutes=rng.uniform(-600, 600))
            cards.append(Card(user=user, question=question, state=state, step=step, stability=rng.uniform(0.5, 200),
                              difficulty=rng.uniform(1, 10), due=due, last_review=last, version=LOGS_PER_CARD))
        cards = Card.objects.bulk_create(cards, batch_size=2000)
        tz = ReviewSettings.objects.get(user=user).tz
        batch = []
        for card in cards:
            for k in range(LOGS_PER_CARD):
                at = now - timedelta(days=rng.uniform(0, 400), seconds=k)
                batch.append(ReviewLog(
                    user=user, card=card, rating=rng.choice((1, 2, 3, 3, 3, 4)), reviewed_at=at,
                    local_day=at.astimezone(tz).date(), duration_ms=rng.randint(1500, 30000), source="review",
                    state_before=2, step_before=None, stability_before=5.0, difficulty_before=5.0,
                    due_before=at, last_review_before=at - timedelta(days=5), state_after=2, step_after=None,
                    stability_after=7.0, difficulty_after=5.0, due_after=at + timedelta(days=7),
                ))
            if len(batch) >= 10_000:
                ReviewLog.objects.bulk_create(batch, batch_size=2000)
                batch = []
        ReviewLog.objects.bulk_create(batch, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  seeded {CARDS:,} cards, {CARDS * LOGS_PER_CARD:,} logs in {time.perf_counter() - started:.1f}s")
    return user


def measure(label, call, runs=RUNS):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, response = [], [], None
    call()  # warm caches (templates, connection)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
        queries.append(len(captured))
        data = [q for q in captured if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
        queries[-1] = (len(captured), len(data))
    return statistics.median(times), max(q[0] for q in queries), max(q[1] for q in queries), list(captured)


def explain_due_queue(captured) -> str:
    """EXPLAIN the due-queue queries the review page ran: the counts and the next due card."""
    from django.db import connection

    wanted = [
        q["sql"] for q in captured
        if q["sql"].startswith("SELECT") and 'FROM "progress_card"' in q["sql"] and '"progress_card"."due" <' in q["sql"]
    ]
    out = []
    with connection.cursor() as cursor:
        for sql in wanted:
            out.append(f"  -- {sql[:110]}…")
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                out += [f"    {row[-1]}" for row in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                out += [f"    {row[0]}" for row in cursor.fetchall()]
    return "\n".join(out)


def run(url: str, reseed: bool) -> None:
    setup_django(url)
    from django.db import connection
    from django.test import Client

    from progress.models import Card, ReviewLog

    print(f"== {connection.vendor} ({url})")
    user = seed(reseed)
    if connection.vendor == "postgresql":
        # Autovacuum is off on this server; in production it keeps the visibility map current, which
        # the heatmap's index-only scan of (user, local_day) relies on. Vacuum as it would have.
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "off":
                cursor.execute("VACUUM ANALYZE progress_reviewlog")
                cursor.execute("VACUUM ANALYZE progress_card")
    print(f"  user 'bench': {Card.objects.filter(user=user).count():,} cards, "
          f"{ReviewLog.objects.filter(user=user).count():,} review logs")
    client = Client()
    client.force_login(user)

    base_ms, base_q, _, _ = measure("baseline", lambda: client.get("/healthz"))
    review_ms, review_q, review_dq, review_captured = measure("review", lambda: client.get("/review/"))
    fragment = {"HX-Request": "true", "HX-Target": "review-session"}
    htmx_ms, htmx_q, _, _ = measure("review-htmx", lambda: client.get("/review/", headers=fragment))

    def rate_current():
        html = client.get("/review/", headers=fragment).content.decode()
        return int(re.search(r'data-question="(\d+)"', html)[1]), int(re.search(r'name="version" value="(\d+)"', html)[1])

    rate_times, rate_queries, rate_data = [], [], []
    from django.test.utils import CaptureQueriesContext

    for i in range(RUNS + 1):
        question_pk, version = rate_current()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(f"/review/questions/{question_pk}/rate/", {"rating": 3, "version": version},
                                   headers={"HX-Request": "true"})
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        if i:  # the first is a warm-up
            rate_times.append(elapsed)
            rate_queries.append(len(captured))
            rate_data.append(len([q for q in captured if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]))
    rate_ms = statistics.median(rate_times)

    dash_ms, dash_q, _, _ = measure("dashboard", lambda: client.get("/progress/"), runs=10)

    from django.core.cache import cache

    def dashboard_uncached():
        cache.clear()  # as after a rating: the year of review logs is counted again
        return client.get("/progress/")

    cold_ms, cold_q, _, _ = measure("dashboard-uncached", dashboard_uncached, runs=10)

    # record_quiz_answer(): the schedule update every quiz answer includes (with its commit)
    from progress.services import record_quiz_answer
    from questions.models import Question

    quiz_questions = [Question(pk=pk) for pk in Question.objects.filter(category__question_set__slug="bench").order_by("pk")
                      .values_list("pk", flat=True)[:RUNS + 1]]
    quiz_times, quiz_queries = [], []
    for i, question in enumerate(quiz_questions):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            record_quiz_answer(user, question, correct=True)
            elapsed = (time.perf_counter() - started) * 1000
        if i:
            quiz_times.append(elapsed)
            quiz_queries.append((len(captured), len([q for q in captured if not q["sql"].startswith(
                ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))])))
    quiz_ms = statistics.median(quiz_times)

    def line(name, ms, q, target_ms, target_q=None, data_q=None):
        ok = ms <= target_ms and (target_q is None or (data_q if data_q is not None else q) <= target_q)
        qtext = f"{q:>2} queries" + (f" ({data_q} without BEGIN/COMMIT)" if data_q is not None and data_q != q else "")
        print(f"  {name:<26} {ms:7.1f} ms  {ms / base_ms:6.1f}× baseline  {qtext:<40} "
              f"target ≤{target_ms} ms{f', ≤{target_q} queries' if target_q else ''}  {'OK' if ok else 'MISSED'}")

    print(f"  {'baseline /healthz':<26} {base_ms:7.1f} ms  {1:6.1f}× baseline  {base_q:>2} queries")
    line("review page (full)", review_ms, review_q, 50, 10, review_dq)
    line("review page (htmx)", htmx_ms, htmx_q, 50, 10)
    line("rating (htmx, next card)", rate_ms, max(rate_queries), 50, 10, max(rate_data))
    line("dashboard", dash_ms, dash_q, 120)
    line("dashboard (cache cleared)", cold_ms, cold_q, 200)
    line("record_quiz_answer()", quiz_ms, max(q[0] for q in quiz_queries), 10, 3, max(q[1] for q in quiz_queries))
    print("  due-queue query plan:")
    print(explain_due_queue(review_captured))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--reseed", action="store_true", help="drop and re-create the bench user's data")
    args = parser.parse_args()
    if args.db == "both":
        for db in ("sqlite", "pg"):
            cmd = [sys.executable, __file__, "--db", db] + (["--reseed"] if args.reseed else [])
            subprocess.run(cmd, check=False)
        return
    if args.db == "pg":
        try:
            ensure_pg_database()
        except Exception as exc:  # noqa: BLE001 - a missing server is reported, not fatal
            print(f"== postgresql skipped: {exc}")
            return
    run(PG_URL if args.db == "pg" else SQLITE_URL, args.reseed)


if __name__ == "__main__":
    main()
