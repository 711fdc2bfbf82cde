"""Quiz pages only read on GET: an expired quiz reads as timed out, the next POST stores it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prepsite import precompiled
from quizzes import services
from quizzes.models import Attempt, AttemptItem, FinishReason

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(ctx) -> list[str]:
    statements = [precompiled.statement_sql(q["sql"]) for q in ctx.captured_queries]
    return [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]


def get_all(client, attempt, expired=False) -> list[str]:
    """Every quiz page, each answering as it should: a running quiz's result page sends the user back to
    the quiz, an expired quiz's play page to its result."""
    play, result = reverse("quizzes:play", args=[attempt.pk]), reverse("quizzes:result", args=[attempt.pk])
    expected = {reverse("quizzes:start"): 200, reverse("quizzes:history"): 200,
                play: 302 if expired else 200, play + "?item=2": 302 if expired else 200, result: 200 if expired else 302}
    with CaptureQueriesContext(connection) as ctx:
        answered = {url: client.get(url).status_code for url in expected}
        clock = client.get(reverse("quizzes:clock", args=[attempt.pk]), headers={"HX-Request": "true", "HX-Target": "countdown"})
    assert answered == expected
    assert clock.status_code == 200 and ("HX-Redirect" in clock.headers) == expired
    return writes(ctx)


def test_quiz_pages_write_nothing_on_get(signed_in, start, tiny_set):
    attempt = start(count=4, kinds=["code_question", "recall"], question_set=tiny_set)
    assert get_all(signed_in, attempt) == []
    assert not AttemptItem.objects.filter(attempt=attempt, shown_at__isnull=False).exists()


def test_an_expired_quiz_reads_as_timed_out_and_the_next_post_stores_it(signed_in, start, tiny_set):
    attempt = start(count=4, kinds=["code_question"], question_set=tiny_set)
    first = attempt.items.get(position=0)
    signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": first.snapshot["key"][0]})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    assert get_all(signed_in, attempt, expired=True) == []
    result = signed_in.get(reverse("quizzes:result", args=[attempt.pk]))
    assert result.status_code == 200 and result.context["attempt"].auto_correct == 1
    history = signed_in.get(reverse("quizzes:history"))
    assert [a.finish_reason for a in history.context["attempts"]] == [FinishReason.TIMEOUT]
    assert Attempt.objects.get(pk=attempt.pk).finished_at is None

    signed_in.post(reverse("quizzes:start"), {})  # any quiz POST stores what GETs read
    stored = Attempt.objects.get(pk=attempt.pk)
    assert (stored.finish_reason, stored.auto_total, stored.auto_correct) == (FinishReason.TIMEOUT, 4, 1)
    assert stored.finished_at == stored.deadline


@pytest.mark.parametrize("htmx", [True, False])
def test_moving_on_is_a_post_that_starts_the_item_clock(signed_in, start, tiny_set, htmx):
    attempt = start(count=4, kinds=["code_question"], question_set=tiny_set)
    headers = {"HX-Request": "true", "HX-Target": "quiz-stage"} if htmx else {}
    response = signed_in.post(reverse("quizzes:show", args=[attempt.pk]), {"item": 3}, headers=headers)
    if htmx:
        assert response.status_code == 200 and "Item 3 of 4" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].endswith("?item=3")
    assert AttemptItem.objects.get(attempt=attempt, position=2).shown_at is not None
    assert signed_in.post(reverse("quizzes:show", args=[attempt.pk]), {"item": 9}).status_code == 400


def test_an_item_reached_by_a_link_is_timed_from_the_last_answer(user, start, tiny_set):
    attempt = start(count=4, kinds=["code_question"], question_set=tiny_set)
    now = attempt.started_at + timedelta(seconds=30)
    first = attempt.items.get(position=0)
    services.answer(user, attempt.pk, 1, first.snapshot["key"], "", now=now)
    third = attempt.items.get(position=2)
    services.answer(user, attempt.pk, 3, third.snapshot["key"], "", now=now + timedelta(seconds=5))
    assert AttemptItem.objects.get(pk=third.pk).duration_ms == 5000
