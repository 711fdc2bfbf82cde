"""History and answering cost a bounded number of queries, whatever the number of attempts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prepsite import precompiled
from quizzes import services
from quizzes.models import Attempt, AttemptItem


def _make_attempts(start, question_set, n: int):
    attempts = []
    for i in range(n):
        attempt = start(count=5, kinds=["code_question", "recall"], seed=100 + i, question_set=question_set)
        first = attempt.items.get(position=0)
        AttemptItem.objects.filter(pk=first.pk).update(
            answered_at=timezone.now(), response={"choices": first.snapshot.get("key") or []},
            correct=first.kind != "recall" or None,
        )
        if i % 2:
            services.finish(attempt)
        else:  # expired, never closed: the history page reads it as timed out
            Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
        attempts.append(attempt)
    return attempts


@pytest.mark.parametrize("n", [2, 20])
def test_history_queries_do_not_grow_with_attempts(signed_in, start, tiny_set, n, django_assert_max_num_queries):
    attempts = _make_attempts(start, tiny_set, n)
    assert Attempt.objects.expired().count() == n // 2
    with django_assert_max_num_queries(7):
        response = signed_in.get(reverse("quizzes:history"))
    assert response.status_code == 200
    assert Attempt.objects.expired().count() == n // 2  # a GET stores nothing
    shown = {a.pk: a for a in response.context["attempts"]}
    assert len(shown) == n
    for attempt in attempts:
        attempt = shown[attempt.pk]
        items = list(attempt.items.all())
        auto = [i for i in items if i.kind != "recall"]
        recall = [i for i in items if i.kind == "recall"]
        assert (attempt.auto_total, attempt.auto_correct) == (len(auto), sum(1 for i in auto if i.correct))
        assert (attempt.recall_total, attempt.recall_correct) == (len(recall), sum(1 for i in recall if i.correct))
        if attempt.finish_reason == "timeout":
            assert attempt.finished_at == attempt.deadline
        assert reverse("quizzes:result", args=[attempt.pk]) in response.content.decode()


def test_finalize_without_items_counts_in_sql(start):
    attempt = start(count=6, kinds=["code_question"])
    items = list(attempt.items.all())
    for item in items[:3]:
        AttemptItem.objects.filter(pk=item.pk).update(answered_at=timezone.now(), correct=item.position != 1)
    with CaptureQueriesContext(connection) as ctx:
        assert attempt.finalize("submitted") is True
    assert len(ctx.captured_queries) == 2  # the UPDATE and re-reading its results
    assert (attempt.auto_total, attempt.auto_correct, attempt.finish_reason) == (6, 2, "submitted")
    assert attempt.finalize("submitted") is False


@pytest.mark.parametrize("feedback", ["immediate", "end"])
def test_answer_post_queries(signed_in, start, feedback):
    attempt = start(count=10, kinds=["code_question", "key_point"], feedback=feedback)
    signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    key = attempt.items.get(position=0).snapshot["key"]
    with CaptureQueriesContext(connection) as ctx:
        response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": key},
                                  headers={"HX-Request": "true", "HX-Target": "quiz-stage"})
    assert response.status_code == 200
    statements = [precompiled.statement_sql(q["sql"]) for q in ctx.captured_queries]
    own = [sql for sql in statements if "progress_" not in sql and "SAVEPOINT" not in sql]
    # session, user, attempt FOR UPDATE, the items, the answered item's snapshot, its UPDATE;
    # "end" then shows the next item: its snapshot and shown_at.
    assert len(own) <= (6 if feedback == "immediate" else 8), own
    assert sum('FROM "quizzes_attempt"' in sql for sql in own) == 1
    html = response.content.decode()
    assert ("✓ Right" in html) == (feedback == "immediate")
    assert 'id="quiz-stage"' in html and "<html" not in html
