"""Numbers typed or posted by users: only plain ASCII digits count, and bad ones get a clear 4xx."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt


HUGE = "9" * 25


@pytest.mark.parametrize("value", ["²", "١", "1²", " 1", "+1", "1_0", "0x1", "-1", HUGE, "abc"])
def test_question_set_query_that_is_not_a_number_is_400(signed_in, tiny_set, value):
    response = signed_in.get(reverse("quizzes:start"), {"question_set": value})
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()


def test_unknown_question_set_is_404_and_known_one_is_chosen(signed_in, tiny_set):
    assert signed_in.get(reverse("quizzes:start"), {"question_set": "123456"}).status_code == 404
    response = signed_in.get(reverse("quizzes:start"), {"question_set": str(tiny_set.pk)},
                             headers={"HX-Request": "true", "HX-Target": "categories"})
    assert response.status_code == 200 and b'id="categories"' in response.content and b"<html" not in response.content


@pytest.mark.parametrize("value", ["²", "١", "٣", " 1", "+1", "1_0", HUGE, "0"])
def test_item_numbers_that_are_not_plain_numbers_are_refused(signed_in, start, value):
    attempt = start(count=5, kinds=["code_question", "recall"])
    key = attempt.items.get(position=0).snapshot.get("key") or ["a"]
    play = signed_in.get(reverse("quizzes:play", args=[attempt.pk]), {"item": value})
    assert play.status_code == 400  # a bad link
    answer = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": value, "choice": key})
    assert answer.status_code == 422  # a form error
    mark = signed_in.post(reverse("quizzes:mark", args=[attempt.pk]), {"item": value, "verdict": "right"})
    assert mark.status_code == 422
    for response in (play, answer, mark):
        text = response.content.decode()
        assert "is not a number" in text or "has no item" in text
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_missing_item_number_is_422(signed_in, start):
    attempt = start(count=5, kinds=["code_question"])
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"choice": "a"})
    assert response.status_code == 422 and "item number is missing" in response.content.decode()


@pytest.mark.parametrize("categories", [["²"], ["١"], [HUGE], ["1", "x"]])
def test_start_form_with_bad_category_ids_is_422(signed_in, tiny_set, categories):
    data = {"question_set": tiny_set.pk, "count": 10, "seconds_per_item": 60, "kinds": ["recall"],
            "feedback": "end", "categories": categories}
    response = signed_in.post(reverse("quizzes:start"), data)
    assert response.status_code == 422 and "is not a valid value" in response.content.decode()
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("value", ["²", HUGE, "١"])
def test_start_form_with_bad_set_id_is_422(signed_in, tiny_set, value):
    data = {"question_set": value, "count": 10, "seconds_per_item": 60, "kinds": ["recall"], "feedback": "end"}
    assert signed_in.post(reverse("quizzes:start"), data).status_code == 422


def test_huge_attempt_id_is_404(signed_in, tiny_set):
    for name in ("play", "result", "clock"):
        assert signed_in.get(f"/quizzes/{HUGE}/" + ("" if name == "play" else f"{name}/")).status_code == 404
    for name in ("answer", "mark", "finish", "retry"):
        assert signed_in.post(f"/quizzes/{HUGE}/{name}/", {"item": "1"}).status_code == 404
