"""Flashcards feed the schedule: Again/Hard/Good/Easy under a revealed answer rate the card as a review."""

import pytest
from django.test import Client
from django.urls import reverse

from progress.models import Card, ReviewLog

HTMX = {"HX-Request": "true"}


def card_url(question, number, reveal=False):
    category = question.category
    url = reverse("questions:flashcard", args=[category.question_set.slug, category.slug, number])
    return url + ("?reveal=1" if reveal else "")


@pytest.mark.django_db
def test_revealed_flashcard_offers_ratings_to_a_signed_in_user_only(client, signed_in, questions, django_assert_max_num_queries):
    q = questions[0]
    with django_assert_max_num_queries(9):
        html = signed_in.get(card_url(q, 1, reveal=True)).content.decode()
    assert 'data-testid="flashcard-rating"' in html and 'data-key="3"' in html
    assert f'name="next" value="{card_url(q, 2)}"' in html
    assert 'data-testid="flashcard-rating"' not in signed_in.get(card_url(q, 1)).content.decode()  # not before the answer
    fragment = signed_in.get(card_url(q, 1, reveal=True), headers={**HTMX, "HX-Target": "answer"}).content.decode()
    assert "<html" not in fragment and 'data-testid="flashcard-rating"' in fragment and "csrfmiddlewaretoken" in fragment
    client.logout()
    assert 'data-testid="flashcard-rating"' not in client.get(card_url(q, 1, reveal=True)).content.decode()


@pytest.mark.django_db
def test_rating_a_flashcard_reviews_the_card_and_goes_to_the_next(signed_in, user, questions):
    q = questions[0]
    response = signed_in.post(reverse("progress:flashcard_rate", args=[q.pk]),
                              {"rating": 3, "version": 0, "next": card_url(q, 2)})
    assert response.status_code == 302 and response.url == card_url(q, 2)
    log = ReviewLog.objects.get(user=user)
    assert (log.card.question_id, log.rating, log.source) == (q.pk, 3, "flashcard")
    card = Card.objects.get(user=user, question=q)
    assert card.last_rating == 3 and card.stability > 0
    # the same post again (a double click, a replay) does not rate twice
    again = signed_in.post(reverse("progress:flashcard_rate", args=[q.pk]), {"rating": 3, "version": 0, "next": card_url(q, 2)})
    assert again.status_code == 302 and ReviewLog.objects.count() == 1
    # the form now carries the card's version
    assert 'name="version" value="1"' in signed_in.get(card_url(q, 1, reveal=True)).content.decode()


@pytest.mark.django_db
def test_flashcard_rating_bad_input(signed_in, user, questions):
    q = questions[0]
    url = reverse("progress:flashcard_rate", args=[q.pk])
    bad = signed_in.post(url, {"rating": 9, "version": 0})
    assert bad.status_code == 422 and "from 1 (Again) to 4 (Easy)" in bad.content.decode()
    assert signed_in.post(reverse("progress:flashcard_rate", args=[999999]), {"rating": 3, "version": 0}).status_code == 404
    offsite = signed_in.post(url, {"rating": 1, "version": 0, "next": "https://evil.example/"})
    assert offsite.status_code == 302 and offsite.url == q.category.get_absolute_url()
    assert ReviewLog.objects.get().rating == 1


@pytest.mark.django_db
def test_flashcard_rating_needs_login_and_csrf(client, questions, user):
    url = reverse("progress:flashcard_rate", args=[questions[0].pk])
    assert client.post(url, {"rating": 3, "version": 0}).status_code == 302  # to the login page
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url, {"rating": 3, "version": 0}).status_code == 403
    assert not ReviewLog.objects.exists()
