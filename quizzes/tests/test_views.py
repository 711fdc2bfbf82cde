import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from progress.models import Card, ReviewLog
from questions.models import Example
from quizzes import services
from quizzes.models import Attempt, AttemptItem


def test_anonymous_is_sent_to_login_and_back(client, db):
    response = client.get(reverse("quizzes:start"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] and "next=/quizzes/" in response["Location"]


def test_start_form_and_creating_a_quiz(signed_in, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = signed_in.get(reverse("quizzes:start"))
    assert response.status_code == 200
    assert b"Quick 10" in response.content and b"Weak spots" in response.content and b"Due now" in response.content
    data = {"question_set": tiny_set.pk, "count": 7, "seconds_per_item": 30, "kinds": ["code_question", "cloze"],
            "feedback": "end"}
    response = signed_in.post(reverse("quizzes:start"), data)
    attempt = Attempt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("quizzes:play", args=[attempt.pk])
    assert attempt.items.count() == 7
    assert {i.kind for i in attempt.items.all()} <= {"code_question", "cloze"}
    assert attempt.deadline - attempt.started_at == timedelta(seconds=7 * 30)


@pytest.mark.parametrize("bad", [{"count": 4}, {"count": 51}, {"seconds_per_item": 0}, {"kinds": ["nope"]}])
def test_start_form_rejects_bad_input(signed_in, tiny_set, bad):
    data = {"question_set": tiny_set.pk, "count": 10, "seconds_per_item": 60, "kinds": ["recall"],
            "feedback": "end", **bad}
    response = signed_in.post(reverse("quizzes:start"), data)
    assert response.status_code == 422 and not Attempt.objects.exists()


def test_presets(signed_in, tiny_set, user):
    base = {"question_set": tiny_set.pk, "seconds_per_item": 60, "feedback": "immediate"}
    response = signed_in.post(reverse("quizzes:start"), {**base, "preset": "quick"})
    assert response.status_code == 302 and Attempt.objects.get().items.count() == 10
    response = signed_in.post(reverse("quizzes:start"), {**base, "preset": "weak"})
    assert response.status_code == 422 and b"No weak spots yet" in response.content
    response = signed_in.post(reverse("quizzes:start"), {**base, "preset": "due"})
    assert response.status_code == 422 and b"Nothing is due" in response.content
    # Get one wrong: it becomes a weak spot (and, reviewed, the card is due soon).
    attempt = Attempt.objects.get()
    item = attempt.items.exclude(kind="recall").first()
    wrong = next(c["id"] for c in item.snapshot["choices"] if c["id"] not in item.snapshot["key"])
    services.answer(user, attempt.pk, item.number, [wrong], "")
    response = signed_in.post(reverse("quizzes:start"), {**base, "preset": "weak"})
    assert response.status_code == 302
    weak = Attempt.objects.order_by("-pk").first()
    assert {i.question_id for i in weak.items.all()} == {item.question_id}
    later = timezone.now() + timedelta(days=3)
    assert item.question_id in services.due_question_ids(user, tiny_set, now=later)


def test_answer_right_wrong_once_and_feeds_schedule(signed_in, start, user):
    attempt = start(count=6, kinds=["code_question"])
    first, second = attempt.items.all()[:2]
    url = reverse("quizzes:answer", args=[attempt.pk])
    right = first.snapshot["key"][0]
    response = signed_in.post(url, {"item": first.number, "choice": right}, headers={"HX-Request": "true", "HX-Target": "quiz-stage"})
    assert response.status_code == 200 and "✓ Right" in response.content.decode()
    response = signed_in.post(url, {"item": first.number, "choice": "a" if right != "a" else "b"})
    first.refresh_from_db()
    assert first.correct is True and first.response == {"choices": [right]}  # applied once
    assert ReviewLog.objects.filter(user=user, card__question_id=first.question_id).count() == 1
    wrong = next(c["id"] for c in second.snapshot["choices"] if c["id"] not in second.snapshot["key"])
    signed_in.post(url, {"item": second.number, "choice": wrong})
    log = ReviewLog.objects.get(card__question_id=second.question_id)
    assert log.rating == 1  # Again
    assert Card.objects.get(user=user, question_id=first.question_id).last_review is not None


def test_slow_right_answer_is_hard(signed_in, start):
    attempt = start(count=5, kinds=["code_question"], seconds=10)
    item = attempt.items.first()
    AttemptItem.objects.filter(pk=item.pk).update(shown_at=timezone.now() - timedelta(seconds=8))
    signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": item.snapshot["key"][0]})
    assert ReviewLog.objects.get().rating == 2  # Hard: right, but over half the 10 s budget


@pytest.mark.parametrize("payload,message", [
    ({"item": "99", "choice": "a"}, "no item 99"),
    ({"item": "abc", "choice": "a"}, "not a number"),
    ({"item": "1", "choice": "zz"}, "is not one of the options"),
    ({"item": "1"}, "Pick an option"),
    ({"item": "1", "choice": ["a", "b"]}, "single option"),
])
def test_tampered_ids_are_422(signed_in, start, payload, message):
    attempt = start(count=5, kinds=["code_question"])
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), payload)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_foreign_attempt_is_404(client, start, other_user):
    attempt = start(count=5)
    client.force_login(other_user)
    for name in ("play", "result", "clock"):
        assert client.get(reverse(f"quizzes:{name}", args=[attempt.pk])).status_code == 404
    for name in ("answer", "mark", "finish", "retry"):
        assert client.post(reverse(f"quizzes:{name}", args=[attempt.pk]), {"item": 1}).status_code == 404


def test_csrf_is_required(start, user):
    attempt = start(count=5)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for name in ("answer", "finish"):
        assert client.post(reverse(f"quizzes:{name}", args=[attempt.pk]), {"item": 1, "choice": "a"}).status_code == 403
    assert client.post(reverse("quizzes:start"), {}).status_code == 403


def test_late_answer_is_refused_and_finalizes(signed_in, start):
    attempt = start(count=5, kinds=["code_question"], seconds=10)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=3))
    item = attempt.items.first()
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]),
                              {"item": 1, "choice": item.snapshot["key"][0]}, follow=True)
    assert "Time is up" in response.content.decode() and "not counted" in response.content.decode()
    attempt.refresh_from_db()
    item.refresh_from_db()
    assert attempt.finish_reason == "timeout" and item.answered_at is None
    # htmx gets a client redirect to the result
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 2, "choice": "a"},
                              headers={"HX-Request": "true", "HX-Target": "quiz-stage"})
    assert response.headers["HX-Redirect"] == reverse("quizzes:result", args=[attempt.pk])


def test_finished_attempt_is_immutable(signed_in, start):
    attempt = start(count=5, kinds=["code_question"])
    signed_in.post(reverse("quizzes:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.finish_reason == "submitted"
    signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": "a"})
    assert not attempt.items.filter(answered_at__isnull=False).exists()
    finished_at = attempt.finished_at
    signed_in.post(reverse("quizzes:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.finished_at == finished_at


def test_reload_resumes_with_remaining_time(signed_in, start):
    attempt = start(count=5, seconds=60)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(seconds=100),
                                                 deadline=timezone.now() + timedelta(seconds=200))
    html = signed_in.get(reverse("quizzes:play", args=[attempt.pk])).content.decode()
    remaining = int(re.search(r'data-remaining-ms="(\d+)"', html).group(1))
    assert 198_000 < remaining <= 200_000
    clock = signed_in.get(reverse("quizzes:clock", args=[attempt.pk]),
                       headers={"HX-Request": "true", "HX-Target": "countdown"})
    assert b'id="countdown"' in clock.content and b"<html" not in clock.content


def test_expired_attempt_page_goes_to_result(signed_in, start):
    attempt = start(count=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    response = signed_in.get(reverse("quizzes:clock", args=[attempt.pk]),
                       headers={"HX-Request": "true", "HX-Target": "countdown"})
    assert response.headers["HX-Redirect"].endswith("/result/")


def test_full_run_result_history_and_retry(signed_in, start, django_assert_max_num_queries):
    attempt = start(count=12, seed=4, feedback="end")
    url = reverse("quizzes:answer", args=[attempt.pk])
    for item in attempt.items.all():
        snap = item.snapshot
        if item.kind == "recall":
            signed_in.post(url, {"item": item.number, "text": "my words"})
            signed_in.post(reverse("quizzes:mark", args=[attempt.pk]), {"item": item.number, "verdict": "right"})
        elif item.number % 2:
            signed_in.post(url, {"item": item.number, "choice": snap["key"]})
        else:
            wrong = next(c["id"] for c in snap["choices"] if c["id"] not in snap["key"])
            signed_in.post(url, {"item": item.number, "choice": wrong})
    attempt.refresh_from_db()
    assert attempt.finish_reason == "completed"
    auto = [i for i in attempt.items.all() if i.kind != "recall"]
    assert attempt.auto_total == len(auto) and attempt.auto_correct == sum(1 for i in auto if i.number % 2)
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("quizzes:result", args=[attempt.pk]))
    html = response.content.decode()
    assert "By category" in html and "Your answer" in html and "Right answer" in html
    for item in attempt.items.all():
        assert item.question.get_absolute_url() in html
        if item.snapshot.get("explanation"):
            assert str(escape(item.snapshot["explanation"].split("`")[0][:30])) in html
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("quizzes:history"))
    assert b"<svg" in response.content and b"Score of your only finished quiz" in response.content
    response = signed_in.post(reverse("quizzes:retry", args=[attempt.pk]))
    retry = Attempt.objects.order_by("-pk").first()
    assert retry.pk != attempt.pk and response["Location"] == reverse("quizzes:play", args=[retry.pk])
    missed = [i for i in attempt.items.all() if not i.correct]
    assert [i.snapshot["prompt"] for i in retry.items.all()] == [i.snapshot["prompt"] for i in missed]


def test_review_survives_reimport(signed_in, start):
    """The result shows each item as it was asked, even after the questions' examples changed."""
    attempt = start(count=5, kinds=["code_question"])
    services.finish(attempt)
    asked = [i.snapshot["code_html"] for i in attempt.items.all()]
    Example.objects.update(code="changed = True", highlighted_html="<pre>changed = True</pre>")
    html = signed_in.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert all(code_html in html for code_html in asked) and "changed = True" not in html


def test_recent_results_tag(signed_in, start, user):
    attempt = start(count=5)
    services.finish(attempt)
    request = RequestFactory().get("/")
    request.user = user
    html = Template("{% load quiz_tags %}{% recent_quiz_results %}").render(Context({"request": request}))
    assert attempt.title in html and reverse("quizzes:result", args=[attempt.pk]) in html
