"""Interview forecast and parameter fit for one user: 1,000 cards, 30,000 review logs, 60 days to the date.

    .venv/bin/python bench/forecast_bench.py

Seeds a fresh SQLite file in a temporary directory, then times (median of RUNS) the whole forecast
(progress.planning.interview_plan: reading the scope's cards, the simulation and the plan search;
target < 500 ms) against an in-run baseline, reading the same cards alone, and times one fit of FSRS
parameters on the 30,000 logs (progress.optimizer.fit, as the job runs it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARDS, LOGS_PER_CARD, UNSEEN, DAYS = 1_000, 30, 200, 60
RUNS = 7


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from progress.models import Card, Interview, ReviewLog, ReviewSettings, scheduler_for
    from questions.models import Category, Question, QuestionSet

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rng = random.Random(11)
    scheduler = scheduler_for(0.9)
    now = datetime.now(timezone.utc)
    with transaction.atomic():
        user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-123")
        review_settings = ReviewSettings.objects.create(user=user, time_zone="Europe/Berlin", new_per_day=5)
        qset = QuestionSet.objects.create(title="Bench set", slug="bench")
        categories = Category.objects.bulk_create(
            Category(question_set=qset, title=f"Category {i}", slug=f"c{i}", position=i) for i in range(10))
        questions = Question.objects.bulk_create(
            Question(category=categories[i % 10], number=str(i + 1), title=f"Question {i + 1}", slug=f"q{i}",
                     position=i, answer_md="An answer.", answer_html="<p>An answer.</p>")
            for i in range(CARDS + UNSEEN))
        import fsrs

        cards, logs = [], []
        for question in questions[:CARDS]:
            # a real history: LOGS_PER_CARD ratings by the scheduler, at each due time or earlier
            card = fsrs.Card(card_id=question.pk)
            moment = now - timedelta(days=rng.uniform(300, 700))
            history = []
            for _ in range(LOGS_PER_CARD):
                rating = fsrs.Rating(rng.choices((1, 2, 3, 4), (8, 7, 80, 5))[0])
                before = card
                card, _ = scheduler.review_card(card, rating, review_datetime=moment)
                history.append((rating, moment, before, card))
                step = card.due - moment
                moment += step if step < timedelta(days=1) else step * rng.uniform(0.3, 1.0)
                if moment > now - timedelta(hours=1):
                    moment = now - timedelta(hours=1) + timedelta(seconds=len(history))
            cards.append(Card(user=user, question=question, state=card.state.value, step=card.step,
                              stability=card.stability, difficulty=card.difficulty, due=card.due,
                              last_review=card.last_review, last_rating=history[-1][0].value, version=LOGS_PER_CARD))
            logs.append(history)
        cards = Card.objects.bulk_create(cards, batch_size=1000)
        tz = review_settings.tz
        rows = []
        for card, history in zip(cards, logs):
            for rating, at, before, after in history:
                rows.append(ReviewLog(
                    user=user, card=card, rating=rating.value, reviewed_at=at, local_day=at.astimezone(tz).date(),
                    duration_ms=rng.randint(4000, 30000), source="review",
                    state_before=before.state.value, step_before=before.step, stability_before=before.stability,
                    difficulty_before=before.difficulty, due_before=before.due, last_review_before=before.last_review,
                    state_after=after.state.value, step_after=after.step, stability_after=after.stability,
                    difficulty_after=after.difficulty, due_after=after.due,
                ))
        ReviewLog.objects.bulk_create(rows, batch_size=2000)
        interview = Interview.objects.create(user=user, title="Bench", on=review_settings.local_day(now) + timedelta(days=DAYS))
    print(f"  seeded {CARDS:,} cards, {len(rows):,} logs, {UNSEEN} unseen questions in {time.perf_counter() - started:.1f}s")
    return user, review_settings, interview


def median_ms(call) -> float:
    call()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        setup_django(f"sqlite:///{directory}/forecast_bench.sqlite3")
        from progress import optimizer, planning, services
        from progress.models import Card

        user, review_settings, interview = seed()
        now = services.utc_now()

        def read_cards():
            return list(Card.objects.of(user).reviewed().values_list("stability", "difficulty", "last_review", "due"))

        result = planning.interview_plan(user, review_settings, interview, now)
        baseline = median_ms(read_cards)
        forecast_ms = median_ms(lambda: planning.interview_plan(user, review_settings, interview, now))
        print(f"  forecast ({CARDS:,} cards, {UNSEEN} unseen, {DAYS} days): {forecast_ms:.0f} ms median of {RUNS} "
              f"(target < 500 ms); baseline, reading the cards: {baseline:.1f} ms; ratio {forecast_ms / baseline:.1f}x")
        print(f"    readiness on the date: current plan ({result.current.new_per_day}/day) {result.current.final:.1%}, "
              f"recommended {result.recommended.new_per_day}/day {result.recommended.final:.1%}, "
              f"{result.recommended.minutes_per_day:.0f} min/day")
        started = time.perf_counter()
        figures = optimizer.fit(user.pk)
        print(f"  optimizer on {figures['reviews']:,} training items from {CARDS * LOGS_PER_CARD:,} logs: "
              f"{time.perf_counter() - started:.1f} s in all, the fit itself {figures['seconds']} s")
        print(f"    log loss {figures['current']['log_loss']} -> {figures['new']['log_loss']}, "
              f"RMSE {figures['current']['rmse']} -> {figures['new']['rmse']}, adopted: {figures['adopted']}")


if __name__ == "__main__":
    main()
