"""The per-user page caches never show stale figures: every write moves their key."""

from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from progress import services
from progress.models import Card, ReviewLog
from prepsite.testing import served_from_cache, without_tokens
from questions import caching
from questions.models import Question

DASHBOARD = "/progress/"


def _rate(client, question_id, version=0, rating=3):
    return client.post(f"/review/questions/{question_id}/rate/", {"rating": rating, "version": version})


@pytest.mark.django_db
def test_dashboard_is_served_from_the_cache_until_a_rating(signed_in, user, question, django_assert_max_num_queries):
    first = signed_in.get(DASHBOARD)
    assert first.context["overall"].learning == 0
    with django_assert_max_num_queries(3):  # session, user, the version with the settings (and the recent quizzes' part)
        again = signed_in.get(DASHBOARD)
    assert again.status_code == 200 and b'data-testid="reviews-today">0<' in again.content
    _rate(signed_in, question.pk)
    after = signed_in.get(DASHBOARD)
    assert after.context["overall"].learning + after.context["overall"].review == 1
    assert b'data-testid="reviews-today">1<' in after.content


@pytest.mark.django_db
def test_dashboard_follows_undo_suspend_and_settings(signed_in, user, questions):
    _rate(signed_in, questions[0].pk)
    assert b'data-testid="reviews-today">1<' in signed_in.get(DASHBOARD).content
    signed_in.post("/review/undo/", {"log": ReviewLog.objects.get(user=user).pk})
    assert b'data-testid="reviews-today">0<' in signed_in.get(DASHBOARD).content
    _rate(signed_in, questions[1].pk)
    card = Card.objects.get(user=user, question=questions[1])
    services.suspend_card(user, questions[1].pk, version=card.version)
    assert signed_in.get(DASHBOARD).context["overall"].suspended == 1
    r = signed_in.post("/review/settings/", {"desired_retention": "0.8", "new_per_day": 5, "time_zone": "Asia/Tokyo"})
    assert r.status_code == 302
    page = signed_in.get(DASHBOARD).content.decode()
    assert "Asia/Tokyo" in page  # the streak is counted in the new time zone


@pytest.mark.django_db
def test_dashboard_follows_an_import_and_the_clock(signed_in, user, questions, monkeypatch):
    now = datetime(2026, 3, 3, 23, 59, 30, tzinfo=dt_timezone.utc)
    monkeypatch.setattr(services, "utc_now", lambda: now)
    before = signed_in.get(DASHBOARD).context["overall"].total
    Question.objects.filter(pk=questions[0].pk).update(archived=True, updated_at=timezone.now())
    monkeypatch.setattr(caching, "_version", None)  # another worker's import, seen after the memo's seconds
    imported = signed_in.get(DASHBOARD)
    assert imported.context["overall"].total == before - 1 and imported.context["today"] == date(2026, 3, 3)
    again = signed_in.get(DASHBOARD)
    assert served_from_cache(again, imported)
    monkeypatch.setattr(services, "utc_now", lambda: now + timedelta(minutes=1))  # past midnight
    assert signed_in.get(DASHBOARD).context["today"] == date(2026, 3, 4)


@pytest.mark.django_db
def test_review_counts_follow_a_rating_and_a_bury(signed_in, user, questions, settings):
    page = signed_in.get("/review/")
    first = page.context["session"]
    repeat = signed_in.get("/review/")
    assert repeat.context is None  # from the page cache: the same page
    assert without_tokens(repeat.content) == without_tokens(page.content)
    _rate(signed_in, first.card.question_id, rating=1)  # Again: the card is learning now
    after = signed_in.get("/review/").context["session"]
    assert after.new == first.new - 1 and after.learning == 1
    shown = after.card
    signed_in.post(f"/review/questions/{shown.question_id}/bury/", {"version": shown.version})
    buried = signed_in.get("/review/").context["session"]
    assert buried.card.question_id != shown.question_id


@pytest.mark.django_db
def test_review_session_and_undo_follow_a_rating_and_its_undo(signed_in, user, questions, django_assert_max_num_queries):
    first = signed_in.get("/review/")
    assert first.context["undo_log"] is None
    with django_assert_max_num_queries(3):  # session, user, the cards' version with the settings: the rest is cached
        repeat = signed_in.get("/review/")
    assert served_from_cache(repeat, first)
    _rate(signed_in, first.context["session"].card.question_id)
    rated = signed_in.get("/review/")
    log = ReviewLog.objects.get(user=user)
    assert rated.context["undo_log"].pk == log.pk
    assert rated.context["session"].card.question_id != first.context["session"].card.question_id
    signed_in.post("/review/undo/", {"log": log.pk})
    undone = signed_in.get("/review/")
    assert undone.context["undo_log"] is None
    assert undone.context["session"].card.question_id == first.context["session"].card.question_id


@pytest.mark.django_db
def test_precompiled_settings_read_is_the_saved_row(signed_in, user):
    from progress.models import ReviewSettings

    assert services.settings_for(user).pk is None  # unsaved defaults, nothing written
    signed_in.post("/review/settings/", {"desired_retention": "0.85", "new_per_day": 7, "time_zone": "Asia/Tokyo"})
    read = services.settings_for(user)
    saved = ReviewSettings.objects.get(user=user)
    assert (read.pk, read.new_per_day, read.time_zone, read.desired_retention) == (saved.pk, 7, "Asia/Tokyo", 0.85)
    assert not read._state.adding
