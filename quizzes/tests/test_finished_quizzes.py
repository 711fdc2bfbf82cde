"""Finished quizzes: the result page folds right items, names, deleting abandoned quizzes, Back after a timeout."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt


def test_result_folds_right_items_and_opens_wrong_ones(signed_in, start, user, django_assert_max_num_queries):
    attempt = start(count=5, kinds=["code_question"])
    items = list(attempt.items.all())
    services.answer(user, attempt.pk, 1, items[0].snapshot["key"], "")
    wrong = next(c["id"] for c in items[1].snapshot["choices"] if c["id"] not in items[1].snapshot["key"])
    services.answer(user, attempt.pk, 2, [wrong], "")
    services.finish(attempt)
    with django_assert_max_num_queries(10):
        html = signed_in.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    blocks = html.split('<li class="mb-2" id="item-')[1:]
    assert len(blocks) == 5
    assert '<details class="card quiz-review-item">' in blocks[0]  # right: folded
    assert all('<details class="card quiz-review-item" open>' in b for b in blocks[1:])
    assert "Delete this unanswered quiz" not in html


def test_quizzes_are_named_by_what_they_cover(tiny_set):
    category = tiny_set.categories.order_by("position").first()
    name = services.describe(tiny_set, [category], ["cloze", "key_point"])
    assert name == f"{category.title} · Code cloze, Key point"
    assert services.describe(tiny_set, [], ["cloze"], preset="Weak spots") == f"Weak spots · {tiny_set.title}"


def test_start_names_the_attempt(signed_in, tiny_set):
    category = tiny_set.categories.order_by("position").first()
    signed_in.post(reverse("quizzes:start"), {
        "question_set": tiny_set.pk, "categories": [category.pk], "count": 5, "seconds_per_item": 60,
        "kinds": ["recall"], "feedback": "immediate",
    })
    assert Attempt.objects.get().title == f"{category.title} · Self-graded recall"


def test_abandoned_quiz_can_be_deleted_and_stays_out_of_the_trend(signed_in, start, user, client,
                                                                   django_user_model, django_assert_max_num_queries):
    kept = start(count=5, kinds=["code_question"], seed=1)
    services.answer(user, kept.pk, 1, kept.items.first().snapshot["key"], "")
    services.finish(kept)
    abandoned = start(count=5, kinds=["code_question"], seed=2)
    signed_in.post(reverse("quizzes:finish", args=[abandoned.pk]))
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("quizzes:history"))
    assert [a.pk for a in response.context["trend"]] == [kept.pk]
    assert reverse("quizzes:delete", args=[abandoned.pk]) in response.content.decode()
    assert reverse("quizzes:delete", args=[kept.pk]) not in response.content.decode()
    # An answered quiz is a record: refused. GET is not allowed.
    assert signed_in.post(reverse("quizzes:delete", args=[kept.pk])).status_code == 409
    assert signed_in.get(reverse("quizzes:delete", args=[abandoned.pk])).status_code == 405
    # Someone else's: 404.
    other = django_user_model.objects.create_user("other", password="x")
    client.force_login(other)
    assert client.post(reverse("quizzes:delete", args=[abandoned.pk])).status_code == 404
    client.force_login(user)
    response = client.post(reverse("quizzes:delete", args=[abandoned.pk]), follow=True)
    assert not Attempt.objects.filter(pk=abandoned.pk).exists() and Attempt.objects.filter(pk=kept.pk).exists()
    assert response.content.decode().count("Deleted the unanswered quiz") == 1


def test_back_after_timeout_shows_the_result_and_a_late_answer_one_message(signed_in, start):
    attempt = start(count=5, kinds=["code_question"])
    response = signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    assert "no-store" in response.headers["Cache-Control"]
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=2))
    # Back re-requests the play page: it sends the user to the finished state.
    response = signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    assert response.status_code == 302 and response.url == reverse("quizzes:result", args=[attempt.pk])
    # A stale form posted after the deadline: one message on the result page, not two.
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": "a"}, follow=True)
    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert "can no longer be changed" in html or "Time is up" in html
