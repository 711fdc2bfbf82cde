"""The review page is cached whole (prepsite.pagecache) under its session's key: every write that changes
what it shows must show on the next load."""

from datetime import timedelta

import pytest
from django.utils import timezone

from progress.models import Interview
from prepsite.testing import served_from_cache
from questions import caching as content_caching
from questions.models import Question

REVIEW = "/review/"


@pytest.mark.django_db
def test_a_repeat_load_is_the_cached_page_with_a_working_token(signed_in, questions):
    first = signed_in.get(REVIEW)
    again = signed_in.get(REVIEW)
    assert first.context is not None and served_from_cache(again, first)
    assert "csrf-token-filled-in-per-request" not in again.content.decode()


@pytest.mark.django_db
def test_a_rating_a_bury_and_an_undo_show_at_once(signed_in, user, questions):
    first = signed_in.get(REVIEW).content.decode()
    assert questions[0].title in first
    signed_in.post(f"/review/questions/{questions[0].pk}/rate/", {"rating": 3, "version": 0})
    rated = signed_in.get(REVIEW).content.decode()
    assert questions[1].title in rated and "Undo" in rated
    signed_in.post(f"/review/questions/{questions[1].pk}/bury/", {"version": 0})
    assert questions[2].title in signed_in.get(REVIEW).content.decode()
    log = user.review_logs.get()
    signed_in.post("/review/undo/", {"log": log.pk})
    assert questions[0].title in signed_in.get(REVIEW).content.decode()


@pytest.mark.django_db
def test_a_settings_change_and_a_plan_show_at_once(signed_in, user, questions):
    signed_in.get(REVIEW)
    signed_in.post("/review/settings/", {"desired_retention": "0.9", "new_per_day": 3, "time_zone": "UTC"})
    assert 'data-testid="plan-note"' not in signed_in.get(REVIEW).content.decode()
    interview = Interview.objects.create(user=user, on=timezone.localdate() + timedelta(days=5),
                                         question_set=questions[0].category.question_set)
    interview.apply_plan(4, None, timezone.now())
    assert 'data-testid="plan-note"' in signed_in.get(REVIEW).content.decode()


@pytest.mark.django_db
def test_an_admin_edit_of_the_shown_question_shows(signed_in, questions, monkeypatch):
    signed_in.get(REVIEW)
    Question.objects.filter(pk=questions[0].pk).update(title="Edited in the admin", updated_at=timezone.now())
    monkeypatch.setattr(content_caching, "_version", None)  # another worker's edit, seen after the memo's seconds
    assert "Edited in the admin" in signed_in.get(REVIEW).content.decode()
