"""Rows and sessions for bench/pages_bench.py, printed as JSON: run under the bench settings.

A reader who has studied every question once (so review, dashboard and quiz pages have data),
and many raters: every rating POST in the run is the first rating of a question by its user, so
it creates the card and does the whole write. The ratings come as a review session sends them:
of each BATCH, all but the last answer with the undo button only, the last with the next session.
"""

import json
import sys
from datetime import timedelta
from importlib import import_module

import django

django.setup()

import fsrs  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.urls import reverse  # noqa: E402

from progress import services  # noqa: E402
from progress.queue import BATCH  # noqa: E402
from questions.models import Question  # noqa: E402

User = get_user_model()
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def main(ratings_needed: int) -> None:
    questions = list(Question.objects.listed().with_category().order_by("category__position", "position"))
    reader = User.objects.create_user("bench-reader", "reader@example.com", "bench-password-123")
    now = services.utc_now()
    for i, question in enumerate(questions):
        rating = fsrs.Rating.Again if i % 5 == 0 else fsrs.Rating.Good
        services.rate_question(reader, question.pk, rating, version=0, duration_ms=8000,
                               now=now - timedelta(days=30 - i % 25))

    raters = []
    per_user = len(questions)
    users = [User(username=f"bench-rater-{n}", email=f"rater{n}@example.com", password="!")  # no password: never hashed
             for n in range(-(-ratings_needed // per_user))]
    for user in User.objects.bulk_create(users):
        raters.append({"session": session_for(user), "questions": [q.pk for q in questions]})

    question = questions[1]
    print(json.dumps({
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_token": _get_new_csrf_string(),
        "reader_session": session_for(reader),
        "question": question.get_absolute_url(),
        "review": reverse("progress:review"),
        "progress": reverse("progress:dashboard"),
        "quizzes": reverse("quizzes:start"),
        # As the browser posts them: a session holds BATCH cards, and every rating but the last one's
        # says the browser shows the next card already (then=1); the last one's brings the next session.
        "rate": [
            {"session": r["session"], "path": reverse("progress:rate", args=[pk]),
             "body": "rating=3&version=0&duration_ms=5000" + ("&then=1" if n % BATCH != BATCH - 1 else "")}
            for r in raters for n, pk in enumerate(r["questions"])
        ],
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]))
