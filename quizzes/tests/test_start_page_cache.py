"""The quiz start page is cached whole under the recent results it lists and the content version:
a finished, timed-out or deleted quiz and an import show on the next load."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from questions import caching as content_caching
from quizzes.models import Attempt
from prepsite.testing import served_from_cache

START = "/quizzes/"


@pytest.mark.django_db
def test_a_repeat_load_is_the_cached_page(signed_in, tiny_set):
    first = signed_in.get(START)
    again = signed_in.get(START)
    assert first.context is not None and served_from_cache(again, first)


@pytest.mark.django_db
def test_a_finished_and_a_timed_out_quiz_show_at_once(signed_in, start):
    finished, timed_out = start(), start(seed=2)
    Attempt.objects.filter(pk=finished.pk).update(title="Finished one")
    Attempt.objects.filter(pk=timed_out.pk).update(title="Timed out one")
    assert "No finished quizzes yet" in signed_in.get(START).content.decode()
    signed_in.post(reverse("quizzes:finish", args=[finished.pk]))
    html = signed_in.get(START).content.decode()
    assert "Finished one" in html and "Timed out one" not in html
    Attempt.objects.filter(pk=timed_out.pk).update(deadline=timezone.now() - timedelta(seconds=1))  # time passed
    assert "Timed out one" in signed_in.get(START).content.decode()


@pytest.mark.django_db
def test_a_deleted_quiz_goes_at_once(signed_in, start):
    attempt = start()
    Attempt.objects.filter(pk=attempt.pk).update(title="Empty one")
    signed_in.post(reverse("quizzes:finish", args=[attempt.pk]))
    assert "Empty one" in signed_in.get(START).content.decode()
    signed_in.post(reverse("quizzes:delete", args=[attempt.pk]))
    signed_in.get(reverse("quizzes:history"))  # shows the pending message
    assert "Empty one" not in signed_in.get(START).content.decode()


@pytest.mark.django_db
def test_an_import_shows(signed_in, tiny_set, monkeypatch):
    signed_in.get(START)
    type(tiny_set).objects.filter(pk=tiny_set.pk).update(title="Renamed by an import", imported_at=timezone.now())
    monkeypatch.setattr(content_caching, "_version", None)  # another worker's import, seen after the memo's seconds
    assert "Renamed by an import" in signed_in.get(START).content.decode()
