"""Self-graded recall: the user's own rating (Again…Easy) is what the schedule records."""

import re

import pytest
from django.urls import reverse

from progress.models import ReviewLog

pytestmark = pytest.mark.django_db


def answered(signed_in, attempt, item):
    signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": item.number, "text": "my words"})


def test_the_chosen_rating_feeds_the_schedule(signed_in, user, start, django_assert_max_num_queries):
    attempt = start(count=3, kinds=["recall"])
    first, second, third = attempt.items.order_by("position")
    answered(signed_in, attempt, first)
    with django_assert_max_num_queries(12):
        html = signed_in.get(reverse("quizzes:play", args=[attempt.pk]) + f"?item={first.number}").content.decode()
    for value, label in ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")):
        assert f'name="rating" value="{value}" type="submit" data-key="{value}" data-key-label="{label}"' in html
    mark = reverse("quizzes:mark", args=[attempt.pk])
    # The four ratings are the form's only buttons: no right/wrong verdict beside them.
    form = re.search(rf'<form[^>]*action="{mark}".*?</form>', html, re.S).group(0)
    assert re.findall(r'<button[^>]*name="([^"]*)" value="([^"]*)"', form) == [("rating", str(v)) for v in range(1, 5)]
    assert form.count("<button") == 4
    signed_in.post(mark, {"item": first.number, "rating": 2})
    log = ReviewLog.objects.get(card__question_id=first.question_id)
    assert (log.rating, log.source) == (2, "quiz")
    first.refresh_from_db()
    assert first.correct is True  # Hard is a pass

    answered(signed_in, attempt, second)
    signed_in.post(mark, {"item": second.number, "rating": 1})
    second.refresh_from_db()
    assert second.correct is False
    assert ReviewLog.objects.get(card__question_id=second.question_id).rating == 1

    answered(signed_in, attempt, third)
    bad = signed_in.post(mark, {"item": third.number, "rating": 7})
    assert bad.status_code == 422 and "from 1 (Again) to 4 (Easy)" in bad.content.decode()
    none = signed_in.post(mark, {"item": third.number})
    assert none.status_code == 422 and "Rate your answer" in none.content.decode()
    assert ReviewLog.objects.count() == 2
    signed_in.post(mark, {"item": third.number, "rating": 4})
    assert ReviewLog.objects.get(card__question_id=third.question_id).rating == 4


def test_a_bare_verdict_still_counts_as_good(signed_in, start):
    attempt = start(count=1, kinds=["recall"])
    [item] = attempt.items.all()
    answered(signed_in, attempt, item)
    signed_in.post(reverse("quizzes:mark", args=[attempt.pk]), {"item": item.number, "verdict": "right"})
    assert ReviewLog.objects.get().rating == 3
