"""Quiz benchmark: generating a 50-item quiz from a 10,000-question bank, and answering one item.

    python bench/quiz_bench.py [--questions 10000] [--runs 30] [--database /tmp/quiz_bench.sqlite3]

The bank is a generated Markdown document (the seed's questions repeated with varied titles,
plus bullet lists and authored Quiz items) imported through content.parser and
questions.importing into a dedicated SQLite database, which is reused while the document is
unchanged. Reported, as medians with the ratio to a baseline measured in the same run:

  generate  quizzes.generation.generate(50 items, every type)   target ≤ 100 ms
            baseline: reading the bank's question ids and titles (one query, the floor any
            generator over the bank pays)
  answer    POST of one answer through django.test.Client (server time)   target ≤ 30 ms
            baselines: GET /healthz through the same client, and progress's
            record_quiz_answer() alone (the schedule update every answer includes, with its commit)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "sets" / "django-interview-questions.md"
sys.path.insert(0, str(ROOT))

BULLETS = [
    "uses a SQL JOIN", "runs one extra query", "is evaluated lazily", "is cached per request",
    "validates on the server", "needs a migration", "runs inside a transaction", "sends a signal",
    "is escaped by default", "is checked by middleware", "returns a QuerySet", "works with async views",
    "needs the CSRF token", "is stored in the session", "supports pagination", "uses a database index",
]


def build_document(count: int) -> str:
    seed = SEED.read_text(encoding="utf-8")
    questions = re.findall(r"^### \d+\. (.+?)\n(.*?)(?=^### |^## |\Z)", seed, re.S | re.M)
    out = ["# Quiz Bench Bank\n"]
    per_category = 100
    for n in range(count):
        if n % per_category == 0:
            out.append(f"## Topic {n // per_category + 1}\n")
        title, body = questions[n % len(questions)]
        body = body.strip().split("\n---")[0]
        out.append(f"### {n + 1}. {title.rstrip('?')} (variant {n + 1})?\n")
        if n % 3 == 0:
            picks = [BULLETS[(n + k * 5) % len(BULLETS)] for k in range(3)]
            out.append("\n".join(f"- {p} ({n % 7})" for p in picks) + "\n")
        out.append(body + "\n")
        if n % 5 == 0:
            out.append(
                f"#### Quiz\n\nWhich statement about variant {n + 1} holds?\n\n"
                f"- [x] {BULLETS[n % len(BULLETS)]}\n- [ ] {BULLETS[(n + 1) % len(BULLETS)]}\n"
                f"- [ ] {BULLETS[(n + 2) % len(BULLETS)]}\n\nExplanation: by construction.\n"
            )
    return "\n".join(out)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", default="/tmp/quiz_bench.sqlite3")
    args = parser.parse_args()

    document = build_document(args.questions)
    digest = hashlib.sha256(document.encode()).hexdigest()[:16]
    database = Path(args.database)
    marker = database.with_suffix(".digest")
    if not (database.exists() and marker.exists() and marker.read_text() == digest):
        database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    call_command("migrate", verbosity=0)

    from django.contrib.auth import get_user_model
    from django.db import connection

    from questions.importing import sync
    from content.parser import parse
    from questions.models import Question, QuestionSet
    from quizzes import services, text
    from quizzes.generation import Spec, generate
    from quizzes.kinds import KINDS
    from quizzes.models import Attempt

    if not QuestionSet.objects.filter(slug="quiz-bench-bank").exists():
        print(f"building the bank: importing {args.questions} questions into {database} (once) …", flush=True)
        started = time.perf_counter()
        sync(parse(document, "quiz-bench-bank.md"))
        marker.write_text(digest)
        print(f"  imported in {time.perf_counter() - started:.1f} s", flush=True)
    question_set = QuestionSet.objects.get(slug="quiz-bench-bank")
    total = Question.objects.listed().filter(category__question_set=question_set).count()
    print(f"bank: {total} questions, SQLite at {database}, {connection.vendor}")

    # --- generation ---------------------------------------------------------------
    def baseline_generate():
        list(Question.objects.listed().filter(category__question_set=question_set).order_by("pk")
             .values_list("pk", "category_id", "title"))

    text.cloze_blanks.cache_clear()
    text.bullet_points.cache_clear()
    text.key_points.cache_clear()
    text.roles.cache_clear()
    started = time.perf_counter()
    cold = generate(Spec(question_set.pk, seed=0, count=50))
    cold_ms = (time.perf_counter() - started) * 1000
    assert len(cold) == 50, len(cold)

    gen, base = [], []
    kinds_seen: set[str] = set()
    for run in range(args.runs):
        started = time.perf_counter()
        baseline_generate()
        base.append(time.perf_counter() - started)
        started = time.perf_counter()
        items = generate(Spec(question_set.pk, seed=run + 1, count=50))
        gen.append(time.perf_counter() - started)
        assert len(items) == 50
        kinds_seen |= {item["kind"] for item in items}

    # --- answering ----------------------------------------------------------------
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench", defaults={"email": "bench@example.com"})
    Attempt.objects.filter(user=user).delete()
    client = Client()
    client.force_login(user)
    from progress.services import record_quiz_answer

    answer, health, schedule = [], [], []
    some_questions = list(Question.objects.filter(category__question_set=question_set)[:args.runs])
    attempt = None
    for run in range(args.runs):
        if run % 50 == 0:
            attempt = services.start_attempt(
                user, question_set, count=50, kinds=[name for name, kind in KINDS.items() if not kind.self_graded], seconds_per_item=600,
                feedback="immediate", title="bench", seed=1000 + run,
            )
            items = list(attempt.items.all())
        item = items[run % 50]
        url = f"/quizzes/{attempt.pk}/answer/"
        data = {"item": item.number, "choice": item.snapshot["key"]}
        started = time.perf_counter()
        response = client.get("/healthz")
        health.append(time.perf_counter() - started)
        assert response.status_code == 200
        started = time.perf_counter()
        record_quiz_answer(user, some_questions[run % len(some_questions)], correct=True)
        schedule.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.post(url, data, headers={"HX-Request": "true"})
        answer.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code

    g, gb = median_ms(gen), median_ms(base)
    a, ab, sb = median_ms(answer), median_ms(health), median_ms(schedule)
    print(f"kinds generated: {', '.join(sorted(kinds_seen))}")
    print(f"generate 50 items (first run, analysis caches cold): {cold_ms:.1f} ms")
    print(f"generate 50 items: median {g:.1f} ms over {args.runs} runs (target ≤ 100 ms); "
          f"baseline (read {total} ids+titles) {gb:.1f} ms; ratio {g / gb:.1f}×")
    print(f"answer one item:   median {a:.1f} ms over {args.runs} posts (target ≤ 30 ms); "
          f"baseline (GET /healthz) {ab:.1f} ms; ratio {a / ab:.1f}×; "
          f"baseline (record_quiz_answer alone) {sb:.1f} ms; ratio {a / sb:.1f}×")


if __name__ == "__main__":
    main()
